package message

import (
	"encoding/json"
	"fmt"

	"github.com/zebgp/ze/bgp/wire/capability"
)

// capJSON is one capability in the JSON view of an OPEN.
type capJSON struct {
	Code  capability.Code       `json:"code"`
	Name  string                `json:"name"`
	Value capability.Capability `json:"value,omitempty"`
	Raw   string                `json:"raw,omitempty"`   // hex, when it did not decode
	Error string                `json:"error,omitempty"` // why it did not decode
}

// MarshalJSON adds to the fixed fields the speaker's AS (see AS) and the
// decoded capabilities, in order. A capability that does not decode is
// shown as hex with the reason; a structural fault of the parameters ends
// the list with "capabilities-error".
func (o Open) MarshalJSON() ([]byte, error) {
	type plain Open // drops the method, keeps the tags
	caps := []capJSON{}
	it := o.Capabilities()
	for r, ok := it.Next(); ok; r, ok = it.Next() {
		c := capJSON{Code: r.Code, Name: r.Code.String()}
		v, err := r.Parse()
		if err != nil {
			c.Raw, c.Error = fmt.Sprintf("%X", r.Value), err.Error()
		} else {
			c.Value = v
		}
		caps = append(caps, c)
	}
	var capErr string
	if err := it.Err(); err != nil {
		capErr = err.Error()
	}
	return json.Marshal(struct {
		plain
		AS           uint32    `json:"as"`
		Capabilities []capJSON `json:"capabilities"`
		CapErr       string    `json:"capabilities-error,omitempty"`
	}{plain(o), o.AS(), caps, capErr})
}
