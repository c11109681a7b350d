package bigcommercetest_test

import (
	"context"
	"errors"
	"fmt"

	bigcommerce "github.com/bigcommerce-go/customergroups"
	"github.com/bigcommerce-go/customergroups/bigcommercetest"
)

func Example() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()
	srv.InjectFault(bigcommercetest.Fault{Method: "POST", Status: 500, ApplyFirst: true})

	client := srv.Client(bigcommerce.WithRetryWait(0, 0))
	_, _, err := client.CustomerGroups.Create(context.Background(), &bigcommerce.CreateCustomerGroupRequest{Name: "Wholesale"})
	fmt.Println("server error:", errors.Is(err, bigcommerce.ErrServer))

	stored := 0
	for _, g := range srv.Groups() {
		if g.Name == "Wholesale" {
			stored++
		}
	}
	fmt.Println("stored:", stored)
	// Output:
	// server error: true
	// stored: 1
}

func ExampleServer_InjectFault() {
	srv := bigcommercetest.NewServer(bigcommercetest.WithSeed(3))
	defer srv.Close()
	// Two 503s in a row, as during store maintenance; reads are retried.
	srv.InjectFault(bigcommercetest.Fault{Method: "GET", Path: "/customer_groups/count", Status: 503, Count: 2})

	n, _, err := srv.Client(bigcommerce.WithRetryWait(0, 0)).CustomerGroups.Count(context.Background(), nil)
	fmt.Println(n, err, srv.Stats().Requests)
	// Output: 3 <nil> 3
}
