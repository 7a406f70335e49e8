package hub_test

import (
	"context"
	"fmt"

	"github.com/zebgp/ze/engine/hub"
)

type peerUp struct {
	Address string `json:"address"`
}

func Example() {
	h, err := hub.New(hub.Config{Policies: []hub.TopicPolicy{{Prefix: "bgp/event", Policy: hub.DropOldest}}})
	if err != nil {
		panic(err)
	}
	defer h.Close()
	rib, _ := h.Subscribe(hub.SubscribeConfig{Name: "bgp-rib", Prefixes: []string{"bgp/update"}})
	cli, _ := h.Subscribe(hub.SubscribeConfig{Name: "cli", Prefixes: []string{"bgp/event"}, External: true})

	reactor := h.NewPublisher("bgp-reactor")
	ctx := context.Background()
	_ = reactor.Publish(ctx, "bgp/event/peer-up", &peerUp{Address: "192.0.2.1"})
	_ = reactor.Publish(ctx, "bgp/update/ipv4/unicast", "an UPDATE")

	m, _ := rib.Receive(ctx)
	fmt.Println(m.Topic(), m.Seq(), m.Value())
	m, _ = cli.Receive(ctx)
	b, _ := m.Encoded()
	fmt.Println(m.Topic(), m.Seq(), string(b))
	fmt.Printf("%+v\n", h.Snapshot().Prefix("bgp"))
	// Output:
	// bgp/update/ipv4/unicast 2 an UPDATE
	// bgp/event/peer-up 1 {"address":"192.0.2.1"}
	// {Topic:bgp Policy: Published:2 Delivered:2 Dropped:0}
}
