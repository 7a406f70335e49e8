package capability

// Hostname carries the speaker's host and domain name
// (draft-walton-bgp-hostname-capability §3).
//
//	+--------------------------------+
//	| Hostname Length (1 octet)      |
//	| Hostname (variable)            |
//	| Domain Name Length (1 octet)   |
//	| Domain Name (variable)         |
//	+--------------------------------+
type Hostname struct {
	HostName   string `json:"host-name"`
	DomainName string `json:"domain-name"`
}

func parseHostname(v []byte) (Capability, error) {
	if len(v) < 1 {
		return nil, errorf(CodeHostname, "length 0, want at least 2")
	}
	hl := int(v[0])
	if 1+hl >= len(v) {
		return nil, errorf(CodeHostname, "host name length %d leaves no domain name length in %d bytes", hl, len(v))
	}
	dl := int(v[1+hl])
	if 2+hl+dl != len(v) {
		return nil, errorf(CodeHostname, "host name length %d and domain name length %d do not add up to length %d", hl, dl, len(v))
	}
	return &Hostname{HostName: string(v[1 : 1+hl]), DomainName: string(v[2+hl:])}, nil
}

// Code returns CodeHostname.
func (*Hostname) Code() Code { return CodeHostname }

// sizes returns the encoded lengths of both names: the host name is cut to
// fit, then the domain name to what is left (the value is at most 255).
func (h *Hostname) sizes() (hl, dl int) {
	hl = min(len(h.HostName), MaxValueLen-2)
	dl = min(len(h.DomainName), MaxValueLen-2-hl)
	return hl, dl
}

// Len returns the encoded size.
func (h *Hostname) Len() int {
	hl, dl := h.sizes()
	return 4 + hl + dl
}

// WriteTo writes the capability; names too long for one capability are cut.
func (h *Hostname) WriteTo(buf []byte, off int) int {
	hl, dl := h.sizes()
	writeHeader(buf, off, CodeHostname, 2+hl+dl)
	p := off + 2
	buf[p] = byte(hl)
	p += 1 + copy(buf[p+1:], h.HostName[:hl])
	buf[p] = byte(dl)
	p += 1 + copy(buf[p+1:], h.DomainName[:dl])
	return p - off
}

// SoftwareVersion carries the speaker's software name and version
// (draft-ietf-idr-software-version §2: a length octet, then UTF-8 text).
type SoftwareVersion struct {
	Version string `json:"version"`
}

func parseSoftwareVersion(v []byte) (Capability, error) {
	if len(v) < 1 {
		return nil, errorf(CodeSoftwareVersion, "length 0, want at least 1")
	}
	if int(v[0]) != len(v)-1 {
		return nil, errorf(CodeSoftwareVersion, "version length %d in a value of length %d", v[0], len(v))
	}
	return &SoftwareVersion{Version: string(v[1:])}, nil
}

// Code returns CodeSoftwareVersion.
func (*SoftwareVersion) Code() Code { return CodeSoftwareVersion }

// size is the encoded length of the version text.
func (s *SoftwareVersion) size() int { return min(len(s.Version), MaxValueLen-1) }

// Len returns the encoded size.
func (s *SoftwareVersion) Len() int { return 3 + s.size() }

// WriteTo writes the capability; a version over 254 bytes is cut.
func (s *SoftwareVersion) WriteTo(buf []byte, off int) int {
	n := s.size()
	writeHeader(buf, off, CodeSoftwareVersion, 1+n)
	buf[off+2] = byte(n)
	copy(buf[off+3:], s.Version[:n])
	return 3 + n
}
