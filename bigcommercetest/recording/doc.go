// Package recording records the exchanges of an SDK client with a real
// store and replays them in tests without the store, the network or
// credentials.
//
// Recorder, an http.RoundTripper, keeps each exchange and writes one
// readable .http file per exchange when saved, credentials redacted and
// the store hash replaced by a placeholder; Replay answers the same
// requests from those files. RecordOrReplay switches between the two on
// BIGCOMMERCE_RECORD, so that a test records once against a sandbox store
// and replays everywhere else:
//
//	func TestSync(t *testing.T) {
//		client := recording.RecordOrReplay(t, "testdata/sync")
//		...
//	}
//
//	BIGCOMMERCE_RECORD=1 BIGCOMMERCE_STORE_HASH=... BIGCOMMERCE_ACCESS_TOKEN=... go test -run TestSync ./...
//
// A recording replaces the previous one only when the test passes, and
// only whole: a failed, panicking or interrupted run leaves the previous
// recording byte for byte. A request the recording cannot answer fails
// the test once and ends the SDK call at once with a *MissError naming the
// recording and its nearest exchange.
//
// # Redaction
//
// A recording can be committed without reading it first. Secrets are
// found by where they can be, and every value found is then redacted
// wherever else it appears:
//
//   - The headers X-Auth-Token, X-Auth-Client, Authorization,
//     Proxy-Authorization, Cookie and Set-Cookie, and those given to
//     RedactHeaders, are written as REDACTED. Their values are learnt: for
//     Authorization also the credential after the scheme and, for Basic,
//     the decoded user:password pair and the password; for cookies each
//     cookie's value.
//   - Query parameters (of the request and of Location, Content-Location
//     and Referer headers), fields of form bodies
//     (application/x-www-form-urlencoded) and JSON fields at any depth are
//     redacted by name: access_token, refresh_token, id_token, token,
//     auth_token, x_auth_token, authorization, client_id, x_auth_client,
//     client_secret, secret, code, password, passwd, api_key, private_key,
//     signed_payload, signed_payload_jwt, jwt, session, session_id, cookie,
//     any name ending in token, secret, password or api_key, and those
//     given to RedactFields. Names are compared without regard to case,
//     underscores or dashes, so accessToken counts too. Every string under
//     such a JSON field is replaced; numbers, booleans and null are kept,
//     since replacing them would change the body's types. These names
//     cover BigCommerce's app flows: the token exchange sends client_id,
//     client_secret and code and answers access_token; the load callback
//     carries signed_payload and signed_payload_jwt.
//   - The answer of a token endpoint (a path ending in /oauth2/token, as
//     in BigCommerce's install flow) is secret whole, whatever its fields
//     are called: every string in it is redacted and learnt but those of
//     context, scope and token_type, which replaying an install needs
//     (the ids of user and owner are numbers, and so kept). An answer that
//     is not a JSON object or a form is replaced whole.
//   - Every value learnt, in any exchange, is replaced in every file,
//     since files are written only when the recording is saved: in paths,
//     queries, header values and bodies, raw, percent-encoded (hex in
//     either case, + for a space), JSON-escaped (\u escapes in either
//     case, \/ and the short escapes, escaped again when JSON is carried
//     in a JSON string), and as base64 in both alphabets, with or without
//     padding. Letters, digits, "-", "_" and "." are matched only as they
//     are, since no encoder escapes them. Values shorter than six
//     characters are redacted only where they were found: searched for
//     everywhere, "42" would blot out every 42 in the recording.
//     RedactSecrets adds values, of any length, that the application
//     knows and the exchanges do not show.
//
// A secret in a field of another name, never sent in any of those places,
// cannot be told from data: name it with RedactFields or RedactSecrets.
// Audit looks through recordings for what still looks like a credential;
// a test that runs it over every committed recording catches what
// redaction missed before a reviewer has to.
//
// This package imports testing; a program that serves the fake imports
// only bigcommercetest.
package recording
