package bigcommerce

// The only test file that imports the JSON v2 packages, as decode.go is
// the only other file.

import (
	"errors"

	json "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// isSyntaxError reports whether err wraps a body that is not JSON.
func isSyntaxError(err error) bool {
	var syn *jsontext.SyntacticError
	return errors.As(err, &syn)
}

// isTypeError reports whether err wraps JSON of a shape the value cannot
// hold, such as an object where a page was expected.
func isTypeError(err error) bool {
	var sem *json.SemanticError
	return errors.As(err, &sem) && !isSyntaxError(err)
}
