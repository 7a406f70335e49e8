// Package attr decodes and encodes the BGP path attributes one by one, and
// classifies a whole Path Attributes field by the error handling of RFC 7606.
//
// Naming: DecodeX reads an attribute value from the wire (the bytes after the
// attribute header, as wire.Attr.Value gives them); ParseX reads the text
// form that AppendText and String print. Decoders return small value types
// (Origin, Community, Aggregator, …) or views over the message bytes
// (ASPath, Communities, PrefixSID, …) that never copy; views are iterated by
// index or by an iterator value, without allocating.
//
// Every typed value has an encoder that writes the whole attribute (flags,
// type code, length and value) into a caller buffer:
//
//	n := v.WriteTo(buf, off)             // the attribute's usual flags
//	n := v.WriteAttr(buf, off, flags)    // flags kept from the received attribute
//
// Encoders do not allocate and do not check bounds: size the buffer with Len
// (or ValueLen plus a 4-octet header). Reencode decodes any received
// attribute and writes it again with its original flags, which reproduces
// the received bytes for every minimally encoded attribute, and keeps the
// extended-length form when the peer used it for a short value.
//
// Check applies RFC 7606 to a Path Attributes field and returns a Verdict:
// nothing to do, attributes to discard, treat-as-withdraw, AFI/SAFI disable
// or a session reset with its NOTIFICATION.
package attr
