// Package bigcommercetest runs a local fake of BigCommerce's v2
// customer-groups API, for tests of code that talks to it, much as
// net/http/httptest does for HTTP servers.
//
// The fake is its own implementation of the API contract, with its own
// types and JSON handling, so a mistake in the SDK is not mirrored here. It
// serves both roots (OAuth under /stores/{hash}/v2 and legacy Basic auth
// under /api/v2), answers 204 with no body for an empty page, refuses a
// limit over 250 with 413, validates writes as the API does, returns amounts
// as exact four-place strings and sends the rate-limit headers on every
// answer.
//
// # Using it
//
// Start a server, point a client at it with Client or BasicClient, and make
// it fail on purpose with InjectFault:
//
//	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
//	defer srv.Close()
//	// The first create is stored, but its answer is lost to a 500, as when
//	// a proxy times out: a client that retries it would make a duplicate.
//	srv.InjectFault(bigcommercetest.Fault{Method: "POST", Status: 500, ApplyFirst: true})
//
//	client := srv.Client(bigcommerce.WithRetryWait(0, 0))
//	_, _, err := client.CustomerGroups.Create(ctx, &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale"})
//	// err matches bigcommerce.ErrServer, and srv.Groups() holds one
//	// "Wholesale" group, not two.
//
// Seed, Add, Groups and Group set up and inspect the store directly;
// Requests shows what the client sent, when, and how each request was
// answered; Stats counts requests, refusals, connections and the most
// requests in flight at once.
//
// # Failures
//
// A Fault applies to the next Count requests that match its Method and Path:
// it can answer a status of its choice (with a v2 error array or a raw body),
// add headers, delay, drop the connection, or let the request through first
// and then fail it (ApplyFirst). Chaos injects the same kinds of failure at
// random rates, repeatably from a seed, for soak tests. Both act after the
// rate limiter and before authentication.
//
// # Choices where the real API is unclear
//
// Creates answer 201 (WithCreateStatus(200) for the other documented form).
// Duplicate names, ignoring case, are refused with 409 unless
// WithAllowDuplicateNames. Invalid bodies are 400 with a message naming the
// field. A "specific" category access needs at least one category; other
// types drop any categories sent. Amounts with more than four decimal places
// are refused rather than rounded. Making a group the guest group takes the
// flag from the previous one. A malformed group id is 404. The rate
// limiter's 429 has an empty body and does not use up quota; the quota is
// shared by every credential, and by unauthenticated requests too. With
// WithConcurrencyLimit, a request beyond the limit in flight is answered
// 429 at once with the rate-limit headers, a v2 error naming the limit and
// no X-Retry-After, and uses no quota either.
//
// Dates are kept to the second in UTC. Date filters take RFC 3339, RFC 1123
// with a numeric zone, "2006-01-02 15:04:05", "2006-01-02T15:04:05" (both
// UTC) or a bare date, which stands for the whole day; :min and :max are
// inclusive at the precision given.
//
// # Apps on many stores
//
// A Platform is the fake for an app that many stores install. One
// listener serves every store's API at APIURL()+"/stores/{hash}/v2" and
// the login server at LoginURL()+"/oauth2/token"; each store added with
// AddStore is a Server with its own groups, rate limit, faults and request
// log. RegisterApp registers an app's credentials and callbacks.
// StartInstall gives the URL an install sends the merchant's browser to;
// the login server then trades its code, once, for a token good on that
// store only. SignedPayload and LoadURL sign the payloads BigCommerce
// passes to an app's callbacks, and Flaws break them for negative tests;
// Uninstall and RemoveUser call the app server to server, as BigCommerce
// does, and Uninstall revokes the token first. ControlPanelURL is a page
// that does all of this by hand in a browser, with the app in a frame.
//
// The fake's choices: a code lasts CodeLifetime; a payload is valid from
// five seconds before it was issued until a day after; client
// authentication failures are 401 and other refusals 400, with RFC 6749's
// error codes; the token's scope decides what it may do (writes need
// store_v2_customers, reads store_v2_customers_read_only at least).
//
// # Recordings and the contract
//
// Two packages beside this one use the fake and a test's testing.T, which
// this package does not import, so that a program serving the fake (such
// as cmd/bigcommerce-fake, or a CLI's --fake mode) links no test package:
//
//   - bigcommercetest/recording records a client's exchanges with a real
//     store to .http files, with credentials redacted, and replays them in
//     tests with no network (RecordOrReplay switches on
//     BIGCOMMERCE_RECORD);
//   - bigcommercetest/contract checks the API behaviours the SDK and this
//     fake rely on against any Target: the fake, a recording or a store.
//
// They used to be part of this package; the old names map to the new
// ones as follows:
//
//	bigcommercetest.NewRecorder, Recorder, RecorderOption  recording.NewRecorder, Recorder, RecorderOption
//	bigcommercetest.OverwriteRecording, HideStoreHash      recording.OverwriteRecording, HideStoreHash
//	bigcommercetest.RedactSecrets, StoreHashPlaceholder    recording.RedactSecrets, StoreHashPlaceholder
//	bigcommercetest.Replay, ReplayOption, FailIfUnused     recording.Replay, ReplayOption, FailIfUnused
//	bigcommercetest.RecordOrReplay, RecordOrReplayTarget   recording.RecordOrReplay, RecordOrReplayTarget
//	bigcommercetest.EnvRecord, EnvStoreHash, ...           recording.EnvRecord, EnvStoreHash, ...
//	bigcommercetest.RunContract, ContractPrefix            contract.Run, contract.Prefix
//
// Target and Server.Target stay here, since both packages take a Target.
// One behaviour changed with the move: a Recorder writes nothing until its
// Save method is called (RecordOrReplay calls it when the test passes), so
// code that uses NewRecorder directly must call Save.
//
// # Outside tests
//
// Listen and ListenPlatform serve the fake on a fixed address;
// cmd/bigcommerce-fake wraps them as a program for trying a client, or
// clicking through an app's install, by hand.
package bigcommercetest
