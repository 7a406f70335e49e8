package view

import (
	"encoding/json"

	"github.com/zebgp/ze/bgp/wire/message"
)

// The non-UPDATE messages are rare (a handful per session), so they render
// through their types' MarshalJSON rather than the append writer.

func appendOpen(w *W, body []byte) error {
	o, err := message.ParseOpen(body)
	if err != nil {
		w.Hex(body)
		return fail(w, err)
	}
	return appendMarshal(w, o)
}

func appendNotification(w *W, body []byte) error {
	n, err := message.ParseNotification(body)
	if err != nil {
		w.Hex(body)
		return fail(w, err)
	}
	return appendMarshal(w, n)
}

func appendRouteRefresh(w *W, body []byte) error {
	r, err := message.ParseRouteRefresh(body)
	if err != nil {
		w.Hex(body)
		return fail(w, err)
	}
	return appendMarshal(w, r)
}

func appendMarshal(w *W, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		w.Str("")
		return fail(w, err)
	}
	w.Raw(j)
	return nil
}
