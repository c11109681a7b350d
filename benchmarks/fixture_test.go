package benchmarks

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// recorded is a response from testdata/responses, read once.
type recorded struct {
	status int
	header http.Header
	body   []byte
}

func loadRecorded(name string) (recorded, error) {
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "responses", name+".http"))
	if err != nil {
		return recorded{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw)), nil)
	if err != nil {
		return recorded{}, fmt.Errorf("%s: %w", name, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return recorded{}, fmt.Errorf("%s: %w", name, err)
	}
	// net/http writes its own Date; the recorded one would be a stale copy.
	resp.Header.Del("Date")
	return recorded{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// fixtures are the recorded responses every benchmark serves or decodes.
type fixtures struct {
	page  recorded // list_page_250: 250 groups, ids 251 to 500
	group recorded // create_201: one group, answered to Get and Create
	// lines are the page's groups without their leading `{"id": N`, so
	// that a store of any size can be rendered from them (see appendPage).
	lines [][]byte
}

var (
	fixturesOnce sync.Once
	fixturesVal  fixtures
	fixturesErr  error
)

func loadFixtures() (fixtures, error) {
	fixturesOnce.Do(func() {
		var f fixtures
		if f.page, fixturesErr = loadRecorded("list_page_250"); fixturesErr != nil {
			return
		}
		if f.group, fixturesErr = loadRecorded("create_201"); fixturesErr != nil {
			return
		}
		f.lines, fixturesErr = splitPage(f.page.body)
		fixturesVal = f
	})
	return fixturesVal, fixturesErr
}

// splitPage cuts a page written one group per line into the part of each
// line after its id.
func splitPage(body []byte) ([][]byte, error) {
	var out [][]byte
	for line := range bytes.Lines(body) {
		line = bytes.TrimRight(line, "\r\n")
		line = bytes.TrimSuffix(line, []byte(","))
		rest, ok := bytes.CutPrefix(line, []byte(`{"id": `))
		if !ok {
			continue
		}
		i := bytes.IndexByte(rest, ',')
		if i < 0 {
			return nil, fmt.Errorf("line without fields after the id: %.40q", line)
		}
		if _, err := strconv.Atoi(string(rest[:i])); err != nil {
			return nil, fmt.Errorf("line with a non-numeric id: %.40q", line)
		}
		out = append(out, rest[i:])
	}
	if len(out) != 250 {
		return nil, fmt.Errorf("the recorded page has %d group lines, want 250", len(out))
	}
	return out, nil
}

// appendPage renders groups first..last (ids, inclusive) of a generated
// store in the layout of the recorded page. Group id takes the recorded
// group at position (id-1) mod 250 with its id replaced, so ids ascend
// across pages and every quirk of the recording recurs on every page.
func appendPage(dst []byte, lines [][]byte, first, last int) []byte {
	dst = append(dst, "[\n"...)
	for id := first; id <= last; id++ {
		dst = append(dst, `{"id": `...)
		dst = strconv.AppendInt(dst, int64(id), 10)
		dst = append(dst, lines[(id-1)%len(lines)]...)
		if id < last {
			dst = append(dst, ',')
		}
		dst = append(dst, '\n')
	}
	return append(dst, ']')
}
