package bigcommerce

import (
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAmountValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount Amount
		want   bool
	}{
		{"5", true},
		{"5.00", true},
		{"-1.5", true},
		{"0.0001", true},
		{"0", true},
		{"12345678901234567890.123456789", true},
		{"", false},
		{"abc", false},
		{"1e5", false},
		{"1.", false},
		{".5", false},
		{"+1", false},
		{" 1", false},
		{"1 ", false},
		{"1,5", false},
		{"NaN", false},
		{"-", false},
		{"--1", false},
		{"1.2.3", false},
		{"١٢", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.amount), func(t *testing.T) {
			t.Parallel()
			if got := tt.amount.Valid(); got != tt.want {
				t.Errorf("Amount(%q).Valid() = %v, want %v", tt.amount, got, tt.want)
			}
		})
	}
}

func TestAmountRatIsExact(t *testing.T) {
	t.Parallel()
	rat := func(a Amount) *big.Rat {
		t.Helper()
		r, err := a.Rat()
		if err != nil {
			t.Fatalf("Amount(%q).Rat: %v", a, err)
		}
		return r
	}
	sum := new(big.Rat).Add(rat("0.1"), rat("0.2"))
	if sum.Cmp(rat("0.3")) != 0 {
		t.Errorf("0.1 + 0.2 = %s, want 3/10", sum.RatString())
	}
	if got := rat("12345678901234567890.123456789").FloatString(9); got != "12345678901234567890.123456789" {
		t.Errorf("long amount = %s", got)
	}
	if got := rat("-1.5").RatString(); got != "-3/2" {
		t.Errorf("-1.5 = %s, want -3/2", got)
	}
	if r, err := Amount("1e5").Rat(); err == nil || r != nil {
		t.Errorf(`Amount("1e5").Rat() = %v, %v; want an error`, r, err)
	} else if !strings.Contains(err.Error(), `"1e5"`) {
		t.Errorf("error %q does not quote the amount", err)
	}
}

func TestAmountFloat64(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount  Amount
		want    float64
		wantErr bool
	}{
		{"7.5", 7.5, false},
		{"-0.25", -0.25, false},
		{"10", 10, false},
		{"abc", 0, true},
		{"1e2", 0, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.amount), func(t *testing.T) {
			t.Parallel()
			got, err := tt.amount.Float64()
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("Amount(%q).Float64() = %v, %v; want %v, error %v", tt.amount, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestAmountEqual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b Amount
		want bool
	}{
		{"5", "5.0000", true},
		{"0.1", "0.10", true},
		{"-0", "0.00", true},
		{"5", "5.0001", false},
		{"5", "-5", false},
		{"abc", "abc", true},
		{"abc", "5", false},
		{"", "0", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.a)+" vs "+string(tt.b), func(t *testing.T) {
			t.Parallel()
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Errorf("Amount(%q).Equal(%q) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
			if got := tt.b.Equal(tt.a); got != tt.want {
				t.Errorf("Amount(%q).Equal(%q) = %v, want %v", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

func TestNewAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r        *big.Rat
		decimals int
		want     Amount
	}{
		{big.NewRat(25, 2), 4, "12.5000"},
		{big.NewRat(5, 1), 2, "5.00"},
		{big.NewRat(-1, 3), 2, "-0.33"},
		{big.NewRat(2, 3), 0, "1"},
	}
	for _, tt := range tests {
		t.Run(string(tt.want), func(t *testing.T) {
			t.Parallel()
			got := NewAmount(tt.r, tt.decimals)
			if got != tt.want {
				t.Errorf("NewAmount(%s, %d) = %q, want %q", tt.r.RatString(), tt.decimals, got, tt.want)
			}
			if !got.Valid() {
				t.Errorf("NewAmount gave an invalid amount %q", got)
			}
		})
	}
}

func TestNewAmountOfNothingIsTheEmptyAmount(t *testing.T) {
	t.Parallel()
	for _, decimals := range []int{2, 0, -1} {
		got := NewAmount(nil, decimals)
		if got != "" || got.Valid() {
			t.Errorf("NewAmount(nil, %d) = %q (valid %v), want the empty, invalid amount", decimals, got, got.Valid())
		}
	}
}

func TestNewAmountWithNegativeDecimalsRoundsToWholeUnits(t *testing.T) {
	t.Parallel()
	if got := NewAmount(big.NewRat(25, 2), -3); got != "13" {
		t.Errorf("NewAmount(25/2, -3) = %q, want 13", got)
	}
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"2.50", "5", "-1.5", "0.0001", "12345678901234567890.123456789"} {
		got, err := ParseAmount(s)
		if err != nil || got != Amount(s) {
			t.Errorf("ParseAmount(%q) = %q, %v; want %q and no error", s, got, err, s)
		}
	}
	for _, s := range []string{"", "abc", "2,50", " 2.50", "1e2", ".5", "5.", "+5"} {
		got, err := ParseAmount(s)
		var vErr *ValidationError
		if !errors.As(err, &vErr) || !errors.Is(err, ErrInvalidRequest) {
			t.Fatalf("ParseAmount(%q) = %q, %v (%T); want a *ValidationError matching ErrInvalidRequest", s, got, err, err)
		}
		if got != "" || vErr.Field != "amount" || !strings.Contains(vErr.Rule, "decimal number") || !strings.Contains(vErr.Rule, strconv.Quote(s)) {
			t.Errorf("ParseAmount(%q) = %q, %v; want no amount and an error naming amount, the rule and the input", s, got, err)
		}
	}
}

func TestAmountMarshalsAsString(t *testing.T) {
	t.Parallel()
	for _, a := range []Amount{"5.00", "-0.25", "12345678901234567890.123456789"} {
		got, err := json.Marshal(a)
		if err != nil {
			t.Fatalf("Marshal(%q): %v", a, err)
		}
		if want := `"` + string(a) + `"`; string(got) != want {
			t.Errorf("Marshal(%q) = %s, want %s", a, got, want)
		}
	}
}

func TestAmountUnmarshalJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    Amount
		wantErr bool
	}{
		{"string keeps its digits", `"5.0000"`, "5.0000", false},
		{"string is trimmed", `" 5.00 "`, "5.00", false},
		{"non-numeric string is kept as text", `"abc"`, "abc", false},
		{"number keeps its text", `7.5`, "7.5", false},
		{"integer number", `10`, "10", false},
		{"negative number", `-0.25`, "-0.25", false},
		{"exponent number becomes the plain decimal", `1e2`, "100", false},
		{"negative exponent keeps every digit", `1.5e-3`, "0.0015", false},
		{"capital E", `2.50E1`, "25.0", false},
		{"null empties the amount", `null`, "", false},
		{"object is refused", `{"value": 5}`, "was", true},
		{"bool is refused", `true`, "was", true},
		{"array is refused", `[5]`, "was", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Amount("was")
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("Unmarshal(%s) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestAmountFromExponentIsAValidDecimal(t *testing.T) {
	t.Parallel()
	var r DiscountRule
	if err := json.Unmarshal([]byte(`{"type": "all", "method": "percent", "amount": 1e2}`), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	// A rule read back from the API must be sendable again unchanged.
	if r.Amount != "100" || !r.Amount.Valid() {
		t.Errorf("amount = %q, valid %v; want 100, valid", r.Amount, r.Amount.Valid())
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		in         string
		want       time.Time
		wantOffset int
		wantErr    bool
	}{
		{"reference format is UTC", "2023-07-17 06:30:41", utc(2023, 7, 17, 6, 30, 41), 0, false},
		{"RFC 1123 with numeric zone", "Wed, 10 Jan 2018 21:02:23 +0000", utc(2018, 1, 10, 21, 2, 23), 0, false},
		{"RFC 1123 with a non-UTC zone", "Wed, 10 Jan 2018 21:02:23 -0500", utc(2018, 1, 11, 2, 2, 23), -5 * 3600, false},
		{"RFC 1123 with a zone name", "Wed, 10 Jan 2018 21:02:23 UTC", utc(2018, 1, 10, 21, 2, 23), 0, false},
		{"RFC 3339 UTC", "2023-07-17T06:30:41Z", utc(2023, 7, 17, 6, 30, 41), 0, false},
		{"RFC 3339 with offset", "2023-07-17T08:30:41+02:00", utc(2023, 7, 17, 6, 30, 41), 2 * 3600, false},
		{"RFC 3339 with fraction", "2023-07-17T06:30:41.5Z", utc(2023, 7, 17, 6, 30, 41).Add(500 * time.Millisecond), 0, false},
		{"ISO without zone", "2023-07-17T06:30:41", utc(2023, 7, 17, 6, 30, 41), 0, false},
		{"date only", "2023-07-17", utc(2023, 7, 17, 0, 0, 0), 0, false},
		{"surrounding space", "  2023-07-17 06:30:41\n", utc(2023, 7, 17, 6, 30, 41), 0, false},
		{"empty is zero", "", time.Time{}, 0, false},
		{"blank is zero", "   ", time.Time{}, 0, false},
		{"MySQL zero date is zero", "0000-00-00 00:00:00", time.Time{}, 0, false},
		{"MySQL zero day is zero", "0000-00-00", time.Time{}, 0, false},
		{"garbage", "last tuesday", time.Time{}, 0, true},
		{"impossible month", "2023-13-01 00:00:00", time.Time{}, 0, true},
		{"day first", "17/07/2023", time.Time{}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseDate(%q) = %v, want an error", tt.in, got)
				}
				if !got.IsZero() || !strings.Contains(err.Error(), strings.TrimSpace(tt.in)) {
					t.Errorf("ParseDate(%q) = %v, %v; want zero time and an error quoting the input", tt.in, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.IsZero() != tt.want.IsZero() {
				t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if _, offset := got.Zone(); offset != tt.wantOffset {
				t.Errorf("ParseDate(%q) offset = %d, want %d", tt.in, offset, tt.wantOffset)
			}
		})
	}
}

func TestParseDateWithoutZoneIsUTC(t *testing.T) {
	t.Parallel()
	got, err := ParseDate("2023-07-17 06:30:41")
	if err != nil {
		t.Fatalf("ParseDate: %v", err)
	}
	if got.Location() != time.UTC {
		t.Errorf("location = %v, want UTC", got.Location())
	}
}

func TestDateFieldsDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr bool
	}{
		{"null is zero", `{"date_created": null}`, time.Time{}, false},
		{"missing is zero", `{}`, time.Time{}, false},
		{"MySQL zero date is zero", `{"date_created": "0000-00-00 00:00:00"}`, time.Time{}, false},
		{"RFC 1123", `{"date_created": "Tue, 11 Jun 2024 14:22:06 +0000"}`, utc(2024, 6, 11, 14, 22, 6), false},
		{"number is refused", `{"date_created": 1718115726}`, time.Time{}, true},
		{"unknown format is refused", `{"date_created": "11.06.2024"}`, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var g CustomerGroup
			err := json.Unmarshal([]byte(tt.in), &g)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if !g.DateCreated.Equal(tt.want) || g.DateCreated.IsZero() != tt.want.IsZero() {
				t.Errorf("DateCreated = %v, want %v", g.DateCreated, tt.want)
			}
		})
	}
}

func TestFlexInt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    flexInt
		wantErr bool
	}{
		{`20`, 20, false},
		{`"20"`, 20, false},
		{`-3`, -3, false},
		{`""`, 0, false},
		{`null`, 0, false},
		{`20.0`, 20, false},
		{`"abc"`, 0, true},
		{`1.5`, 0, true},
		{`true`, 0, true},
		{`{}`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got := flexInt(99)
			err := unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Unmarshal(%s) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			if got != tt.want {
				t.Errorf("Unmarshal(%s) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestDiscountRuleReadsStringIDs(t *testing.T) {
	t.Parallel()
	var r DiscountRule
	in := `{"type": "product", "method": "fixed", "amount": "2.0000", "product_id": "77", "category_id": null, "price_list_id": ""}`
	if err := json.Unmarshal([]byte(in), &r); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	want := DiscountRule{Type: DiscountRuleProduct, Method: DiscountFixed, Amount: "2.0000", ProductID: 77}
	if r != want {
		t.Errorf("rule = %+v, want %+v", r, want)
	}
}

func TestCategoryAccessDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want CategoryAccess
	}{
		{"categories as numbers", `{"type": "specific", "categories": [18, 19]}`, CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}}},
		{"categories as strings", `{"type": "specific", "categories": ["18", "19"]}`, CategoryAccess{Type: CategoryAccessSpecific, Categories: []int{18, 19}}},
		{"missing categories are nil", `{"type": "all"}`, CategoryAccess{Type: CategoryAccessAll}},
		{"null categories are nil", `{"type": "none", "categories": null}`, CategoryAccess{Type: CategoryAccessNone}},
		{"empty categories stay empty", `{"type": "none", "categories": []}`, CategoryAccess{Type: CategoryAccessNone, Categories: []int{}}},
		{"non-string type reads empty", `{"type": 2}`, CategoryAccess{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := CategoryAccess{Type: CategoryAccessAll, Categories: []int{1}}
			if err := json.Unmarshal([]byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unmarshal(%s) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

// decodeLenient decodes in into a T that starts as start.
func decodeLenient[T ~string](t *testing.T, in string, start T) T {
	t.Helper()
	got := start
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatalf("Unmarshal(%s) into %T: %v", in, got, err)
	}
	return got
}

func TestLenientEnums(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"string is kept", `"percent"`, "percent"},
		{"unknown string is kept", `"half"`, "half"},
		{"escaped string is decoded", `"perc\u0065nt"`, "percent"},
		{"true reads empty", `true`, ""},
		{"number reads empty", `1`, ""},
		{"null reads empty", `null`, ""},
		{"object reads empty", `{}`, ""},
		{"array reads empty", `["percent"]`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := decodeLenient(t, tt.in, DiscountMethod("was")); string(got) != tt.want {
				t.Errorf("DiscountMethod from %s = %q, want %q", tt.in, got, tt.want)
			}
			if got := decodeLenient(t, tt.in, DiscountRuleType("was")); string(got) != tt.want {
				t.Errorf("DiscountRuleType from %s = %q, want %q", tt.in, got, tt.want)
			}
			if got := decodeLenient(t, tt.in, CategoryAccessType("was")); string(got) != tt.want {
				t.Errorf("CategoryAccessType from %s = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestEnumValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		valid func() bool
		want  bool
	}{
		{"method percent", DiscountPercent.Valid, true},
		{"method fixed", DiscountFixed.Valid, true},
		{"method price", DiscountPrice.Valid, true},
		{"method empty", DiscountMethod("").Valid, false},
		{"method upper case", DiscountMethod("PERCENT").Valid, false},
		{"rule all", DiscountRuleAll.Valid, true},
		{"rule product", DiscountRuleProduct.Valid, true},
		{"rule category", DiscountRuleCategory.Valid, true},
		{"rule price_list", DiscountRulePriceList.Valid, true},
		{"rule percent", DiscountRuleType("percent").Valid, false},
		{"rule empty", DiscountRuleType("").Valid, false},
		{"access all", CategoryAccessAll.Valid, true},
		{"access specific", CategoryAccessSpecific.Valid, true},
		{"access none", CategoryAccessNone.Valid, true},
		{"access some", CategoryAccessType("some").Valid, false},
		{"access empty", CategoryAccessType("").Valid, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.valid(); got != tt.want {
				t.Errorf("Valid() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPtr(t *testing.T) {
	t.Parallel()
	f := Ptr(false)
	if f == nil || *f {
		t.Errorf("Ptr(false) = %v, want a pointer to false", f)
	}
	s := Ptr("Wholesale")
	if s == nil || *s != "Wholesale" {
		t.Errorf("Ptr(%q) = %v", "Wholesale", s)
	}
	v := 3
	p := Ptr(v)
	*p = 4
	if v != 3 {
		t.Errorf("Ptr aliased its argument: v = %d", v)
	}
	if a, b := Ptr(true), Ptr(true); a == b {
		t.Error("two Ptr calls returned the same pointer")
	}
}
