package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	bigcommerce "github.com/bigcommerce-go/customergroups"
)

// toolVersion is the module version the binary was built from: the tag
// for go install ...@vX.Y.Z, "(devel)" for a build from a checkout.
func toolVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the versions of bcgroups and of the SDK it was built with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "bcgroups %s\nSDK github.com/bigcommerce-go/customergroups %s\n", toolVersion(), bigcommerce.Version)
			return err
		},
	}
}
