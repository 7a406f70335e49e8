package view

import (
	"fmt"

	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// AppendMessageJSON appends the JSON of one whole message (header included):
//
//	{"type":"update","length":60,"update":{…}}
//
// On a malformed message the object ends with "error" and the error is
// returned; what was read before the fault is kept.
func AppendMessageJSON(w *W, msg []byte, ctx *wire.EncodingContext) error {
	h, err := wire.ParseHeader(msg, ctx.MaxLen())
	if err != nil {
		w.Open('{')
		err = fail(w, err)
		w.Close('}')
		return err
	}
	if int(h.Length) != len(msg) {
		w.Open('{')
		err = fail(w, fmt.Errorf("view: header length %d but %d bytes given", h.Length, len(msg)))
		w.Close('}')
		return err
	}
	return appendTyped(w, h.Type, int(h.Length), msg[wire.HeaderLen:], ctx)
}

// AppendBodyJSON is AppendMessageJSON for a message body without its header.
func AppendBodyJSON(w *W, t wire.MsgType, body []byte, ctx *wire.EncodingContext) error {
	return appendTyped(w, t, len(body)+wire.HeaderLen, body, ctx)
}

func appendTyped(w *W, t wire.MsgType, length int, body []byte, ctx *wire.EncodingContext) error {
	w.Open('{')
	defer w.Close('}')
	w.Key("type")
	w.Str(t.String())
	w.Key("length")
	w.Uint(uint64(length))
	switch t {
	case wire.MsgUpdate:
		u, err := wire.ParseUpdate(body, ctx)
		if err != nil {
			return fail(w, err)
		}
		w.Key("update")
		return AppendUpdateJSON(w, &u)
	case wire.MsgKeepalive:
		if len(body) != 0 {
			return fail(w, wire.NewNotifyError(wire.NotifyHeader, wire.HeaderBadLength, nil))
		}
		return nil
	case wire.MsgOpen:
		w.Key("open")
		return appendOpen(w, body)
	case wire.MsgNotification:
		w.Key("notification")
		return appendNotification(w, body)
	case wire.MsgRouteRefresh:
		w.Key("route-refresh")
		return appendRouteRefresh(w, body)
	}
	return fail(w, wire.NewNotifyError(wire.NotifyHeader, wire.HeaderBadType, []byte{byte(t)}))
}

// AppendAttributesJSON appends the JSON object of a path attribute list.
// An attribute list that RFC 7606 finds malformed (as if the UPDATE carried
// no NLRI) is shown in full and reported as a *MalformedError.
func AppendAttributesJSON(w *W, attrs []byte, ctx *wire.EncodingContext) error {
	if err := appendAttributes(w, attrs, ctx, false); err != nil {
		return err
	}
	if v := attr.Check(attrs, ctx, false); v.Action != attr.ActionNone {
		return &MalformedError{Verdict: v}
	}
	return nil
}

// AppendNLRIJSON appends {"family":[…NLRI…]} for NLRI of family f.
func AppendNLRIJSON(w *W, f wire.Family, nlri []byte, ctx *wire.EncodingContext) error {
	w.Open('{')
	defer w.Close('}')
	if _, ok := wire.LookupFamily(f); !ok {
		return fail(w, &wire.UnknownFamilyError{Family: f})
	}
	if err := appendNLRIList(w, f, wire.NewNLRIIter(f, nlri, ctx.AddPath(f))); err != nil {
		return fail(w, err)
	}
	return nil
}
