package recording_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest/recording"
)

// Record a client's calls and save them to a directory; in a test,
// Replay(t, dir) then answers them without a store, and RecordOrReplay
// switches between the two on the environment, saving only when the test
// passes.
func ExampleNewRecorder() {
	dir, _ := os.MkdirTemp("", "recording")
	defer os.RemoveAll(dir)
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()

	rec := recording.NewRecorder(dir, nil, recording.HideStoreHash(srv.StoreHash))
	client, _ := bigcommerce.NewClient(bigcommerce.NewOAuth(srv.StoreHash, srv.AccessToken),
		bigcommerce.WithBaseURL(srv.OAuthBaseURL()), bigcommerce.WithHTTPClient(&http.Client{Transport: rec}))
	n, _, err := client.CustomerGroups.Count(context.Background(), nil)
	fmt.Println(n, err, rec.Save())

	files, _ := filepath.Glob(filepath.Join(dir, "*.http"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		first, _, _ := strings.Cut(string(b), "\n")
		fmt.Println(filepath.Base(f), "|", first, "| token written:", strings.Contains(string(b), srv.AccessToken))
	}
	// Output:
	// 3 <nil> <nil>
	// 0001-get-customer_groups-count.http | GET /stores/{store_hash}/v2/customer_groups/count HTTP/1.1 | token written: false
}
