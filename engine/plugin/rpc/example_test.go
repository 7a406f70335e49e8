package rpc_test

import (
	"context"
	"fmt"
	"net"

	"github.com/zebgp/ze/engine/plugin/rpc"
)

func ExampleParseLine() {
	f, err := rpc.ParseLine([]byte(`#42 ze-bgp:peer-list {"selector":"10.0.0.1"}` + "\n"))
	fmt.Println(f.ID, f.Kind, string(f.Verb), string(f.JSON), err)
	_, err = rpc.ParseLine([]byte("42 ok\n"))
	fmt.Println(err)
	fmt.Printf("%s", rpc.AppendError(nil, 43, "no such peer: 10.9.9.9"))
	// Output:
	// 42 request ze-bgp:peer-list {"selector":"10.0.0.1"} <nil>
	// rpc: line 1: missing '#'
	// #43 error {"error":"no such peer: 10.9.9.9"}
}

func ExampleConn() {
	a, b := net.Pipe()
	engine := rpc.NewConn(a, rpc.Options{})
	plugin := rpc.NewConn(b, rpc.Options{Handler: func(_ context.Context, method string, params []byte) ([]byte, error) {
		if method != "ze-example:count" {
			return nil, fmt.Errorf("unknown method %s", method)
		}
		return []byte(`{"count":3}`), nil
	}})
	defer engine.Close()
	defer plugin.Close()

	res, err := engine.Call(context.Background(), "ze-example:count", nil)
	fmt.Println(string(res), err)
	_, err = engine.Call(context.Background(), "ze-example:reset", []byte(`{}`))
	fmt.Println(err)
	// Output:
	// {"count":3} <nil>
	// rpc: ze-example:reset: unknown method ze-example:reset
}
