package view

import (
	"github.com/zebgp/ze/bgp/wire"
)

// appendOpen, appendNotification and appendRouteRefresh are replaced by the
// bgp/wire/message based renderers as soon as that package lands; until then
// they report the body as hex with an error, so a build never breaks.
func appendOpen(w *W, body []byte) error         { return rawBody(w, body) }
func appendNotification(w *W, body []byte) error { return rawBody(w, body) }
func appendRouteRefresh(w *W, body []byte) error { return rawBody(w, body) }

func rawBody(w *W, body []byte) error {
	w.Hex(body)
	return fail(w, &wire.NotifyError{Code: wire.NotifyHeader, Subcode: wire.HeaderBadType})
}
