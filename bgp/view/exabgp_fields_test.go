package view_test

// The two sides of TestExaBGPAgreement: ze's JSON and ExaBGP's JSON, each
// reduced to fields.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/zebgp/ze/bgp/view"
	"github.com/zebgp/ze/bgp/wire"
	"github.com/zebgp/ze/bgp/wire/attr"
)

// zeSide decodes the record with ze and reduces ze's JSON to fields.
func zeSide(r exaRecord, ctx *wire.EncodingContext) (*side, []byte, error) {
	var w view.W
	if r.nlri != nil {
		_ = view.AppendNLRIJSON(&w, *r.nlri, r.bytes, ctx) // the error is in the JSON
	} else {
		_ = view.AppendMessageJSON(&w, r.bytes, ctx)
	}
	j, err := decodeJSON(w.B)
	if err != nil {
		return nil, w.B, err
	}
	s := newSide()
	s.err = str(j["error"])
	if r.nlri != nil {
		return s, w.B, nil
	}
	typ := str(j["type"])
	s.f["type"] = typ
	switch typ {
	case "update":
		u := obj(j["update"])
		if u == nil {
			break
		}
		s.err = str(u["error"])
		if e, ok := u["eor"]; ok {
			f, err := wire.ParseFamily(str(e))
			if err != nil {
				return nil, w.B, err
			}
			s.f["eor"] = f.String()
		}
		if v := obj(u["rfc7606"]); v != nil {
			s.f["rfc7606"] = str(v["action"]) + ": " + str(v["reason"])
		}
		for f, l := range obj(u["withdraw"]) {
			fam, err := wire.ParseFamily(f)
			if err != nil {
				return nil, w.B, err
			}
			s.families[fam] = true
			s.f["withdraw "+fam.String()] = zeNLRI(list(l))
		}
		for f, a := range obj(u["announce"]) {
			fam, err := wire.ParseFamily(f)
			if err != nil {
				return nil, w.B, err
			}
			s.families[fam] = true
			a := obj(a)
			s.f["announce "+fam.String()] = zeNLRI(list(a["nlri"]))
			if nh, ok := a["next-hop"]; ok {
				v := addrText(str(nh))
				if ll, ok := a["next-hop-link-local"]; ok {
					v += " link-local " + addrText(str(ll))
				}
				s.f["next-hop "+fam.String()] = v
			}
		}
		if err := zeAttributes(s, obj(u["attributes"])); err != nil {
			return nil, w.B, err
		}
	case "open":
		zeOpen(s, obj(j["open"]))
	case "notification":
		n := obj(j["notification"])
		v := str(n["code"]) + "/" + str(n["subcode"])
		if c, ok := n["communication"]; ok {
			v += " communication=" + strconv.Quote(str(c))
		} else {
			v += " data=" + str(n["data"])
		}
		s.f["notification"] = v
	}
	return s, w.B, nil
}

// zeNLRI writes ze's NLRI list as "PREFIX[#PATH-ID] …".
func zeNLRI(l []any) string {
	var out []string
	for _, n := range l {
		n := obj(n)
		p := str(n["prefix"])
		if p == "" {
			p = "nlri=" + str(n["nlri"])
		} else {
			p = prefixText(p)
		}
		if id, ok := n["path-id"]; ok {
			p += "#" + str(id)
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// zeAttributes reduces ze's "attributes" object: lists to their elements
// separated by spaces, communities to HIGH:LOW, extended communities to their
// 8 octets in hex (ze's JSON has their text: ParseExtCommunity gives back the
// bytes, as ze's text forms round-trip), AS paths to the text of attr.ASPath.
func zeAttributes(s *side, a map[string]any) error {
	for k, v := range a {
		if o := obj(v); o != nil {
			if _, ok := o["invalid"]; ok {
				s.f[k] = "invalid: " + str(o["invalid"]) + " value=" + str(o["value"])
				continue
			}
		}
		switch k {
		case "origin", "originator-id", "med", "local-preference", "atomic-aggregate", "otc", "aigp":
			s.f[k] = str(v)
		case "next-hop":
			s.f[k] = addrText(str(v))
		case "as-path", "as4-path":
			var path, confed []string
			for _, seg := range list(v) {
				seg := obj(seg)
				var asns []string
				for _, a := range list(seg["asns"]) {
					asns = append(asns, str(a))
				}
				switch str(seg["type"]) {
				case "as-sequence":
					path = append(path, asns...)
				case "as-set":
					path = append(path, "{"+strings.Join(asns, " ")+"}")
				case "as-confed-sequence":
					confed = append(confed, asns...)
				case "as-confed-set":
					confed = append(confed, "{"+strings.Join(asns, " ")+"}")
				default:
					return fmt.Errorf("%s: segment type %v", k, seg["type"])
				}
			}
			setPath(s.f, k, path)
			if k == "as-path" {
				setPath(s.f, "confederation-path", confed)
			} else {
				setPath(s.f, "as4-confederation-path", confed)
			}
		case "aggregator", "as4-aggregator":
			o := obj(v)
			s.f[k] = str(o["asn"]) + ":" + str(o["address"])
		case "community":
			var out []string
			for _, c := range list(v) {
				x, err := attr.ParseCommunity(str(c))
				if err != nil {
					return err
				}
				out = append(out, fmt.Sprintf("%d:%d", x>>16, x&0xFFFF))
			}
			s.f[k] = strings.Join(out, " ")
		case "extended-community":
			var out []string
			for _, c := range list(v) {
				x, err := attr.ParseExtCommunity(str(c))
				if err != nil {
					return err
				}
				out = append(out, fmt.Sprintf("%016X", x[:]))
				s.ecText = append(s.ecText, str(c))
			}
			s.f[k] = strings.Join(out, " ")
		case "large-community", "cluster-list", "ipv6-extended-community":
			var out []string
			for _, c := range list(v) {
				out = append(out, str(c))
			}
			s.f[k] = strings.Join(out, " ")
		case "prefix-sid":
			o := obj(v)
			var out []string
			if li, ok := o["label-index"]; ok {
				out = append(out, "label-index="+str(li))
			}
			var srgb []string
			for _, g := range list(o["srgb"]) {
				g := obj(g)
				srgb = append(srgb, str(g["base"])+"/"+str(g["range"]))
			}
			if len(srgb) > 0 {
				out = append(out, "srgb="+strings.Join(srgb, ","))
			}
			for _, tlv := range list(o["tlvs"]) {
				tlv := obj(tlv)
				if n := str(tlv["type"]); n != "1" && n != "3" {
					out = append(out, "tlv-"+n+"="+str(tlv["value"]))
				}
			}
			s.f[k] = strings.Join(out, " ")
		default:
			o := obj(v)
			if _, ok := o["flags"]; ok && len(o) == 2 {
				fl, _ := strconv.Atoi(str(o["flags"]))
				s.f[k] = fmt.Sprintf("flags=0x%02X value=%s", fl, str(o["value"]))
				continue
			}
			b, _ := json.Marshal(v)
			s.f[k] = string(b)
		}
	}
	return nil
}

func setPath(f fields, k string, asns []string) {
	if len(asns) > 0 {
		f[k] = strings.Join(asns, " ")
	}
}

// zeOpen reduces an OPEN to the fields ExaBGP shows: the AS number (the
// 4-octet one when the capability is there), hold time, BGP identifier and
// the capabilities, with the values of multiprotocol, asn4 and software
// version.
func zeOpen(s *side, o map[string]any) {
	s.f["open version"] = str(o["version"])
	s.f["open asn"] = str(o["as"])
	s.f["open hold-time"] = str(o["hold-time"])
	s.f["open router-id"] = str(o["bgp-id"])
	var codes []string
	var fams []string
	for _, c := range list(o["capabilities"]) {
		c := obj(c)
		code := str(c["code"])
		v := obj(c["value"])
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
		switch code {
		case "1":
			fams = append(fams, str(v["family"]))
		case "65":
			s.f["open capability 65"] = str(v["asn"])
		case "75":
			s.f["open capability 75"] = str(v["version"])
		}
	}
	slices.Sort(fams)
	slices.Sort(codes)
	if len(fams) > 0 {
		s.f["open capability 1"] = strings.Join(fams, " ")
	}
	s.f["open capabilities"] = strings.Join(codes, " ")
}

// exaSide reduces ExaBGP's JSON to fields.
func exaSide(j map[string]any) (*side, error) {
	s := newSide()
	typ := str(j["type"])
	s.f["type"] = typ
	n := obj(j["neighbor"])
	switch typ {
	case "update":
		m := obj(n["message"])
		if e := obj(m["eor"]); e != nil {
			f, err := exaFamily(str(e["afi"]) + " " + str(e["safi"]))
			if err != nil {
				return nil, err
			}
			s.f["eor"] = f.String()
			return s, nil
		}
		u := obj(m["update"])
		for fs, l := range obj(u["withdraw"]) {
			f, err := exaFamily(fs)
			if err != nil {
				return nil, err
			}
			s.families[f] = true
			s.f["withdraw "+f.String()] = exaNLRI(s, f, list(l))
		}
		for fs, groups := range obj(u["announce"]) {
			f, err := exaFamily(fs)
			if err != nil {
				return nil, err
			}
			s.families[f] = true
			// ExaBGP groups the routes by next hop.
			var nlri, hops []string
			groups := obj(groups)
			for _, nh := range sortedKeys(groups) {
				l := groups[nh]
				if nh != "no-nexthop" {
					hops = append(hops, addrText(nh))
					if a, err := netip.ParseAddr(nh); err == nil && a.Is6() && f.AFI == wire.AFIIPv4 {
						s.extNH[f] = true
					}
				}
				if l := exaNLRI(s, f, list(l)); l != "" {
					nlri = append(nlri, l)
				}
			}
			s.f["announce "+f.String()] = strings.Join(nlri, " ")
			if len(hops) > 0 {
				s.f["next-hop "+f.String()] = strings.Join(hops, ",")
			}
		}
		if err := exaAttributes(s, obj(u["attribute"])); err != nil {
			return nil, err
		}
	case "open":
		exaOpen(s, obj(n["open"]))
	default:
		return nil, fmt.Errorf("message type %q", typ)
	}
	return s, nil
}

// exaNLRI writes ExaBGP's NLRI list in the form of zeNLRI, noting the
// families that carry path ids.
func exaNLRI(s *side, f wire.Family, l []any) string {
	var out []string
	for _, n := range l {
		n := obj(n)
		p := prefixText(str(n["nlri"]))
		if v, ok := n["path-information"]; ok {
			// ExaBGP writes the 32-bit path id as if it were an IPv4 address.
			s.addPath[f] = true
			a, err := netip.ParseAddr(str(v))
			if err != nil || !a.Is4() {
				p += "#bad-path-information=" + str(v)
			} else {
				p += "#" + strconv.FormatUint(uint64(binary.BigEndian.Uint32(a.AsSlice())), 10)
			}
		}
		for _, k := range sortedKeys(n) {
			if k != "nlri" && k != "path-information" {
				p += " " + k + "=" + str(n[k])
			}
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// exaAttributes reduces ExaBGP's "attribute" object to the fields of
// zeAttributes.
func exaAttributes(s *side, a map[string]any) error {
	for k, v := range a {
		switch k {
		case "origin", "originator-id", "med", "local-preference", "atomic-aggregate", "aggregator":
			s.f[k] = str(v)
		case "as-path", "confederation-path":
			path, confed, err := exaPath(v)
			if err != nil {
				return err
			}
			if k == "confederation-path" {
				path, confed = nil, path
			}
			setPath(s.f, "as-path", path)
			setPath(s.f, "confederation-path", confed)
		case "community", "large-community":
			var out []string
			for _, c := range list(v) {
				var parts []string
				for _, p := range list(c) {
					parts = append(parts, str(p))
				}
				out = append(out, strings.Join(parts, ":"))
			}
			s.f[k] = strings.Join(out, " ")
		case "extended-community":
			var out []string
			for _, c := range list(v) {
				c := obj(c)
				n, err := strconv.ParseUint(str(c["value"]), 10, 64)
				if err != nil {
					return fmt.Errorf("extended community: %w", err)
				}
				out = append(out, fmt.Sprintf("%016X", n))
				s.ecText = append(s.ecText, str(c["string"]))
			}
			s.f[k] = strings.Join(out, " ")
		case "cluster-list":
			var out []string
			for _, c := range list(v) {
				out = append(out, str(c))
			}
			s.f[k] = strings.Join(out, " ")
		case "bgp-prefix-sid":
			o := obj(v)
			var out []string
			if li, ok := o["sr-label-index"]; ok {
				out = append(out, "label-index="+str(li))
			}
			var srgb []string
			for _, g := range list(o["sr-srgbs"]) {
				g := list(g)
				if len(g) == 2 {
					srgb = append(srgb, str(g[0])+"/"+str(g[1]))
				}
			}
			if len(srgb) > 0 {
				out = append(out, "srgb="+strings.Join(srgb, ","))
			}
			s.f["prefix-sid"] = strings.Join(out, " ")
		default:
			// attribute-0xCODE-0xFLAGS: an attribute ExaBGP has no type for.
			var code, flags uint8
			if n, _ := fmt.Sscanf(k, "attribute-0x%02X-0x%02X", &code, &flags); n == 2 {
				val := str(v)
				if h, ok := strings.CutPrefix(val, "0x"); ok {
					val = "value=" + strings.ToUpper(h)
				} else {
					val = "text=" + val
				}
				s.f[wire.AttrCode(code).String()] = fmt.Sprintf("flags=0x%02X %s", flags, val)
				continue
			}
			b, _ := json.Marshal(v)
			s.f[k] = string(b)
		}
	}
	return nil
}

// exaPath reads ExaBGP's AS path: 4.2 flattens the sequences into one list
// (an AS_SET would be a nested list) and gives the confederation path as its
// own attribute; 5.0 gives {"0":{"element":"as-sequence","value":[…]},…}.
func exaPath(v any) (path, confed []string, err error) {
	if l, ok := v.([]any); ok {
		for _, x := range l {
			if set, ok := x.([]any); ok {
				var asns []string
				for _, a := range set {
					asns = append(asns, str(a))
				}
				path = append(path, "{"+strings.Join(asns, " ")+"}")
				continue
			}
			path = append(path, str(x))
		}
		return path, nil, nil
	}
	segs := obj(v)
	keys := sortedKeys(segs)
	slices.SortFunc(keys, func(a, b string) int { x, _ := strconv.Atoi(a); y, _ := strconv.Atoi(b); return x - y })
	for _, i := range keys {
		seg := obj(segs[i])
		var asns []string
		for _, a := range list(seg["value"]) {
			asns = append(asns, str(a))
		}
		switch str(seg["element"]) {
		case "as-sequence":
			path = append(path, asns...)
		case "as-set":
			path = append(path, "{"+strings.Join(asns, " ")+"}")
		case "confed-sequence", "as-confed-sequence":
			confed = append(confed, asns...)
		case "confed-set", "as-confed-set":
			confed = append(confed, "{"+strings.Join(asns, " ")+"}")
		default:
			return nil, nil, fmt.Errorf("as-path element %v", seg["element"])
		}
	}
	return path, confed, nil
}

// exaOpen reduces ExaBGP's OPEN to the fields of zeOpen.
func exaOpen(s *side, o map[string]any) {
	s.f["open version"] = str(o["version"])
	s.f["open asn"] = str(o["asn"])
	s.f["open hold-time"] = str(o["hold_time"])
	s.f["open router-id"] = str(o["router_id"])
	caps := obj(o["capabilities"])
	codes := sortedKeys(caps)
	s.f["open capabilities"] = strings.Join(codes, " ")
	for _, code := range codes {
		c := obj(caps[code])
		switch code {
		case "1":
			var fams []string
			for _, f := range list(c["families"]) {
				if fam, err := exaFamily(str(f)); err == nil {
					fams = append(fams, fam.String())
				} else {
					fams = append(fams, str(f))
				}
			}
			slices.Sort(fams)
			s.f["open capability 1"] = strings.Join(fams, " ")
		case "65":
			s.f["open capability 65"] = str(c["asn4"])
		case "75":
			s.f["open capability 75"] = str(c["software"])
		}
	}
}

// ExaBGP's names of the AFIs and SAFIs; ze writes families as afi/safi with
// its own SAFI names (mpls-label, vpn, flowspec, flowspec-vpn).
var (
	exaAFI  = map[string]wire.AFI{"ipv4": wire.AFIIPv4, "ipv6": wire.AFIIPv6, "l2vpn": wire.AFIL2VPN, "bgp-ls": wire.AFIBGPLS}
	exaSAFI = map[string]wire.SAFI{
		"unicast": wire.SAFIUnicast, "multicast": wire.SAFIMulticast, "nlri-mpls": wire.SAFIMPLSLabel,
		"mcast-vpn": wire.SAFIMVPN, "vpls": wire.SAFIVPLS, "evpn": wire.SAFIEVPN, "bgp-ls": wire.SAFIBGPLS,
		"bgp-ls-vpn": wire.SAFIBGPLSVPN, "mup": wire.SAFIMUP, "mpls-vpn": wire.SAFIVPN, "rtc": wire.SAFIRTC,
		"flow": wire.SAFIFlowSpec, "flow-vpn": wire.SAFIFlowSpecVPN,
	}
)

// exaFamily reads ExaBGP's "afi safi" (or "afi/safi", as in OPEN).
func exaFamily(s string) (wire.Family, error) {
	a, b, ok := strings.Cut(s, " ")
	if !ok {
		a, b, _ = strings.Cut(s, "/")
	}
	afi, ok1 := exaAFI[a]
	safi, ok2 := exaSAFI[b]
	if !ok1 || !ok2 {
		return wire.Family{}, fmt.Errorf("ExaBGP family %q", s)
	}
	return wire.Family{AFI: afi, SAFI: safi}, nil
}

// decodeJSON keeps numbers as json.Number: ExaBGP's extended community
// values need all 64 bits.
func decodeJSON(b []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func list(v any) []any         { l, _ := v.([]any); return l }

// str returns a JSON scalar as text.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func addrText(s string) string {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.String()
	}
	return s
}

func prefixText(s string) string {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.String()
	}
	return s
}

func sortedKeys[K comparable, V any](m map[K]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, fmt.Sprint(k))
	}
	slices.Sort(out)
	return out
}
