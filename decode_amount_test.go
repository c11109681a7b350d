package bigcommerce

import (
	"strings"
	"testing"
	"time"
)

// TestHugeAmountsDecodeAsFastAsText holds the "at once" of the two hostile
// bodies with huge amounts, as a ratio rather than a wall-clock bound: each
// body must decode within a small multiple of the time that a body of the
// same size, with the amounts sent as strings, takes in the same run. An
// amount that went through big.Rat took some 30 ms for each exponent of
// 999999 and quadratic time in its digits, thousands of times the text's.
func TestHugeAmountsDecodeAsFastAsText(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name           string
		number, string string
	}{
		{
			name:   "1000 amounts of 1e999999",
			number: `{"id":1,"discount_rules":[` + strings.Repeat(`{"type":"product","method":"fixed","amount":1e999999},`, 999) + `{"amount":1e999999}]}`,
			string: `{"id":1,"discount_rules":[` + strings.Repeat(`{"type":"product","method":"fixed","amount":"1e9999"},`, 999) + `{"amount":"1e9999"}]}`,
		},
		{
			name:   "an amount of a million digits with an exponent",
			number: `{"id":1,"discount_rules":[{"amount":` + strings.Repeat("9", 1<<20) + `e1}]}`,
			string: `{"id":1,"discount_rules":[{"amount":"` + strings.Repeat("9", 1<<20) + `"}]}`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.number) != len(tt.string) {
				t.Fatalf("the bodies differ in size: %d and %d bytes", len(tt.number), len(tt.string))
			}
			// The fastest of a few decodes of each, taken in turns, so
			// that a pause of the machine does not land on one side only.
			number, text := time.Duration(1<<62), time.Duration(1<<62)
			for range 5 {
				number = min(number, timeDecode(t, tt.number))
				text = min(text, timeDecode(t, tt.string))
			}
			t.Logf("numbers %s, strings %s", number, text)
			const most = 20
			if ratio := float64(number) / float64(text); ratio > most {
				t.Errorf("the numbers took %s, %.0fx the same body with strings (%s); want at most %dx", number, ratio, text, most)
			}
		})
	}
}

func timeDecode(t *testing.T, body string) time.Duration {
	t.Helper()
	b := []byte(body)
	var g CustomerGroup
	start := time.Now()
	err := decodeBody(b, &g)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatalf("decoding: %v", err)
	}
	return elapsed
}
