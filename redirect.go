package bigcommerce

import (
	"fmt"
	"net/http"
)

// checkRedirect lets a redirect through only to the same scheme and host:
// the credential headers are copied onto redirected requests, and
// net/http strips only Authorization and Cookie, not X-Auth-Token.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return &redirectError{reason: "stopped after 5 redirects"}
	}
	orig := via[0].URL
	if req.URL.Host != orig.Host || req.URL.Scheme != orig.Scheme {
		return &redirectError{reason: fmt.Sprintf("refusing redirect from %s://%s to %s://%s: the credentials would follow it",
			orig.Scheme, orig.Host, req.URL.Scheme, req.URL.Host)}
	}
	return nil
}

type redirectError struct{ reason string }

func (e *redirectError) Error() string { return "bigcommerce: " + e.reason }
