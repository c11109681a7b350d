package benchmarks

import (
	"os"
	"testing"
)

// Each benchmark runs the floor and the SDK as sub-benchmarks impl=floor
// and impl=sdk of the same parent, so that `benchstat -col /impl` puts the
// SDK beside the floor and prints the difference. scripts/bench.sh does
// that.

func BenchmarkGet(b *testing.B) {
	sdk, floor := getOps(newPair(b, recordedHash))
	benchPair(b, sdk, floor)
}

func BenchmarkList250(b *testing.B) {
	sdk, floor := listOps(newPair(b, recordedHash))
	benchPair(b, sdk, floor)
}

func BenchmarkCreate(b *testing.B) {
	sdk, floor := createOps(newPair(b, recordedHash))
	benchPair(b, sdk, floor)
}

// BenchmarkAll10000 walks a store of 10,000 groups: 40 full pages and the
// empty 41st that ends the walk.
func BenchmarkAll10000(b *testing.B) {
	const n = 10000
	sdk, floor := allOps(newPair(b, generatedHash(n)), n)
	benchPair(b, sdk, floor)
}

// BenchmarkGetNoNetwork is Get over a transport that answers from memory:
// what each side costs on its own, without the loopback round trip that
// dominates BenchmarkGet.
func BenchmarkGetNoNetwork(b *testing.B) {
	rec := mustFixtures(b).group
	rec.status = 200
	c := newMemoryClient(b, rec)
	f := newMemoryFloor(rec)
	sdk := func() error {
		g, _, err := c.CustomerGroups.Get(bg, getID)
		return checkID(err, g != nil && g.ID == getID)
	}
	floor := func() error {
		g, err := f.get(bg, getID)
		return checkID(err, g != nil && g.ID == getID)
	}
	benchPair(b, sdk, floor)
}

// BenchmarkDecodePage decodes the recorded 250-group page with no network:
// impl=sdk is the SDK's own decoder (reached through List over an
// in-memory transport), impl=types is json.Unmarshal into
// []bigcommerce.CustomerGroup.
func BenchmarkDecodePage(b *testing.B) {
	sdk, floor, types := decodeOps(b)
	benchPair(b, sdk, floor)
	b.Run("impl=types", func(b *testing.B) { loop(b, types) })
}

// sdkFirst runs each SDK sub-benchmark before the floor's. go test -count
// repeats each sub-benchmark in a row, so the floor would always run
// first; scripts/bench.sh instead runs -count=1 again and again with this
// switched each time, so that drift in the machine's speed favours neither
// side.
var sdkFirst = os.Getenv("BENCH_SDK_FIRST") == "1"

func benchPair(b *testing.B, sdk, floor operation) {
	runFloor := func() { b.Run("impl=floor", func(b *testing.B) { loop(b, floor) }) }
	runSDK := func() { b.Run("impl=sdk", func(b *testing.B) { loop(b, sdk) }) }
	if sdkFirst {
		runSDK()
		runFloor()
	} else {
		runFloor()
		runSDK()
	}
}

func loop(b *testing.B, op operation) {
	b.ReportAllocs()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
}
