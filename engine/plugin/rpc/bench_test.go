package rpc

import (
	"context"
	"net"
	"testing"
)

var benchLine = []byte(`#42 ok {"peers":[{"address":"10.0.0.1","state":"established","uptime":86400,"families":["ipv4/unicast","ipv6/unicast"]}]}` + "\n")

func BenchmarkParseLine(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine)))
	for range b.N {
		if _, err := ParseLine(benchLine); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLineNoJSON(b *testing.B) {
	line := []byte("#1234567 ze-plugin-engine:ready\n")
	b.ReportAllocs()
	for range b.N {
		if _, err := ParseLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendRequest(b *testing.B) {
	params := []byte(`{"selector":"10.0.0.1"}`)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for i := range b.N {
		buf = AppendRequest(buf[:0], uint64(i), "ze-bgp:peer-list", params)
	}
}

func BenchmarkReadFrame(b *testing.B) {
	r := NewReader(&repeater{line: string(benchLine)}, 1<<16)
	b.ReportAllocs()
	b.SetBytes(int64(len(benchLine)))
	for range b.N {
		if _, err := r.ReadFrame(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchConns(b *testing.B) *Conn {
	b.Helper()
	ca, cb := net.Pipe()
	client := NewConn(ca, Options{Logger: quiet})
	server := NewConn(cb, Options{Logger: quiet, Handler: func(_ context.Context, _ string, p []byte) ([]byte, error) {
		return p, nil
	}})
	b.Cleanup(func() { client.Close(); server.Close() })
	return client
}

// BenchmarkRoundTrip is one caller: request, handler, answer, over
// net.Pipe, one at a time.
func BenchmarkRoundTrip(b *testing.B) {
	c := benchConns(b)
	params := []byte(`{"selector":"10.0.0.1"}`)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.Call(ctx, "ze-bgp:peer-list", params); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRoundTripParallel has many callers share the connection.
func BenchmarkRoundTripParallel(b *testing.B) {
	c := benchConns(b)
	params := []byte(`{"selector":"10.0.0.1"}`)
	ctx := context.Background()
	b.ReportAllocs()
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Call(ctx, "ze-bgp:peer-list", params); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
