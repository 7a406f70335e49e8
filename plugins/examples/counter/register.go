package counter

import "github.com/zebgp/ze/plugins/sdk"

func init() {
	sdk.Builtin(Name, Run)
	sdk.ShipYANG(Name, YANG)
}
