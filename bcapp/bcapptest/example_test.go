package bcapptest_test

import (
	"fmt"
	"log"
	"net/http"
	"net/url"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bcapp"
	"github.com/bigcommerce-go/customergroups/bcapp/bcapptest"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

// In a test, pass its *testing.T to New. An example has none, so this
// stand-in ends the program on a failure and runs the cleanups at the end.
type exampleT struct{ cleanups []func() }

func (*exampleT) Helper()                           {}
func (*exampleT) Fatalf(format string, args ...any) { log.Fatalf(format, args...) }
func (t *exampleT) Cleanup(f func())                { t.cleanups = append(t.cleanups, f) }

func (t *exampleT) done() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}

// Example tests an app on two stores: it installs both through the app's
// own callbacks, opens one, submits the page's form, and uninstalls.
func Example() {
	t := &exampleT{}
	defer t.done()

	p := bcapptest.New(t, bcapptest.Stores("abc", "def"), bcapptest.StoreOptions(bigcommercetest.WithSeed(3)))
	app, err := bcapp.New(p.Config) // the app's hooks and AppURL go in p.Config first
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/bc/", http.StripPrefix("/bc", app.Handler()))
	mux.Handle("/{$}", app.RequireSession(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := bcapp.SessionFrom(r.Context())
		client, err := app.Client(r.Context(), s.StoreHash)
		if err == nil && r.Method == http.MethodPost {
			_, _, err = client.CustomerGroups.Create(r.Context(), &bigcommerce.CreateCustomerGroupRequest{Name: r.PostFormValue("name")})
		}
		n := 0
		if err == nil {
			n, _, err = client.CustomerGroups.Count(r.Context(), nil)
		}
		if err != nil {
			http.Error(w, "the store cannot be reached", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "store %s: %d groups", s.StoreHash, n)
	})))
	p.Serve(mux)

	p.Install("abc")
	p.Install("def")
	page := p.Load("abc")
	fmt.Println(page.Status, page.Body)
	page = p.Post(page.URL, url.Values{"name": {"VIP"}})
	fmt.Println(page.Status, page.Body)

	p.Uninstall("abc")
	fmt.Println("token kept:", p.HasToken("abc"), "load:", p.Load("abc").Status)
	// Output:
	// 200 store abc: 3 groups
	// 200 store abc: 4 groups
	// token kept: false load: 404
}
