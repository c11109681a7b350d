package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/itchyny/gojq"
	"github.com/spf13/cobra"
)

// jsonCommand marks, in a command's annotations, the commands whose output
// is JSON and so can take --jq.
const jsonCommand = "bcgroups/json"

// jqFilter is --jq: a gojq program run in process over the command's JSON
// output, as gh does, so that scripts need no jq installed and get the
// same answers everywhere.
type jqFilter struct {
	code *gojq.Code
	// out is the real standard output; the command writes to buf, and the
	// filter's results go to out once the command has succeeded.
	out      io.Writer
	terminal bool
	buf      bytes.Buffer
}

// setUpJQ checks --jq before anything is sent: the expression must
// compile, the command must write JSON, and the output format must be
// JSON, which it becomes when -o is not given.
func (a *app) setUpJQ(cmd *cobra.Command) error {
	if !cmd.Flags().Changed("jq") {
		return nil
	}
	if cmd.Annotations[jsonCommand] == "" {
		return usageErrorf("--jq: %s writes no JSON to filter", cmd.CommandPath())
	}
	switch a.flags.output {
	case "":
		a.flags.output = "json"
	case "json", "ndjson":
	default:
		return usageErrorf("--jq: filters JSON, so it cannot be combined with -o %s", a.flags.output)
	}
	q, err := gojq.Parse(a.flags.jq)
	if err != nil {
		return usageErrorf("--jq: %v", err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return usageErrorf("--jq: %v", err)
	}
	a.jq = &jqFilter{code: code, out: a.io.Out, terminal: a.io.OutTTY}
	// The command writes exact JSON for the filter; only what the filter
	// prints is shown as a terminal needs it.
	a.io.Out, a.io.OutTTY = &a.jq.buf, false
	return nil
}

// run filters each JSON value the command wrote (one for a document, one
// per line for NDJSON) and prints the results: strings as they are, like
// jq -r, anything else as JSON. An error of the program is a usage error,
// since it is the expression that is wrong, not the store.
func (f *jqFilter) run(ctx context.Context) error {
	dec := json.NewDecoder(&f.buf)
	dec.UseNumber()
	var out bytes.Buffer
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("--jq: reading the output: %w", err)
		}
		iter := f.code.RunWithContext(ctx, normalizeNumbers(v))
		for {
			result, ok := iter.Next()
			if !ok {
				break
			}
			if err, ok := result.(error); ok {
				var halt *gojq.HaltError
				if errors.As(err, &halt) && halt.Value() == nil {
					break
				}
				return usageErrorf("--jq: %v", err)
			}
			if s, ok := result.(string); ok {
				if f.terminal {
					s = shown(s)
				}
				out.WriteString(s)
				out.WriteByte('\n')
				continue
			}
			b, err := gojq.Marshal(result)
			if err != nil {
				return usageErrorf("--jq: %v", err)
			}
			if f.terminal {
				b = jsonForTerminal(b)
			}
			out.Write(b)
			out.WriteByte('\n')
		}
	}
	_, err := f.out.Write(out.Bytes())
	return err
}

// normalizeNumbers turns json.Numbers into the int or float64 that gojq
// takes. Ids are whole numbers and stay exact; amounts are strings in
// bcgroups' JSON, so they never pass through floating point here.
func normalizeNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(string(v)); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case []any:
		for i := range v {
			v[i] = normalizeNumbers(v[i])
		}
	case map[string]any:
		for k := range v {
			v[k] = normalizeNumbers(v[k])
		}
	}
	return v
}
