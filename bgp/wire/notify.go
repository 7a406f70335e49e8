package wire

import (
	"errors"
	"fmt"
	"strconv"
)

// NotifyCode is a NOTIFICATION error code (RFC 4271 §4.5).
type NotifyCode uint8

// NOTIFICATION error codes.
const (
	NotifyHeader        NotifyCode = 1 // Message Header Error
	NotifyOpen          NotifyCode = 2 // OPEN Message Error
	NotifyUpdate        NotifyCode = 3 // UPDATE Message Error
	NotifyHoldTimer     NotifyCode = 4 // Hold Timer Expired
	NotifyFSM           NotifyCode = 5 // Finite State Machine Error (RFC 6608)
	NotifyCease         NotifyCode = 6 // Cease (RFC 4486)
	NotifyRouteRefresh  NotifyCode = 7 // ROUTE-REFRESH Message Error (RFC 7313)
	NotifySendHoldTimer NotifyCode = 8 // Send Hold Timer Expired (RFC 9687)
)

// Message Header Error subcodes (RFC 4271 §6.1).
const (
	HeaderConnNotSync uint8 = 1
	HeaderBadLength   uint8 = 2
	HeaderBadType     uint8 = 3
)

// OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234).
const (
	OpenUnspecific            uint8 = 0
	OpenUnsupportedVersion    uint8 = 1
	OpenBadPeerAS             uint8 = 2
	OpenBadBGPID              uint8 = 3
	OpenUnsupportedOptParam   uint8 = 4
	OpenUnacceptableHoldTime  uint8 = 6
	OpenUnsupportedCapability uint8 = 7
	OpenRoleMismatch          uint8 = 11
)

// UPDATE Message Error subcodes (RFC 4271 §6.3).
const (
	UpdateMalformedAttrList uint8 = 1
	UpdateUnknownWellKnown  uint8 = 2
	UpdateMissingWellKnown  uint8 = 3
	UpdateAttrFlags         uint8 = 4
	UpdateAttrLength        uint8 = 5
	UpdateInvalidOrigin     uint8 = 6
	UpdateInvalidNextHop    uint8 = 8
	UpdateOptionalAttr      uint8 = 9
	UpdateInvalidNetwork    uint8 = 10
	UpdateMalformedASPath   uint8 = 11
)

// FSM Error subcodes (RFC 6608).
const (
	FSMUnspecified           uint8 = 0
	FSMUnexpectedOpenSent    uint8 = 1
	FSMUnexpectedOpenConfirm uint8 = 2
	FSMUnexpectedEstablished uint8 = 3
)

// Cease subcodes (RFC 4486, RFC 8538, RFC 9384).
const (
	CeaseMaxPrefixes        uint8 = 1
	CeaseAdminShutdown      uint8 = 2
	CeasePeerDeconfigured   uint8 = 3
	CeaseAdminReset         uint8 = 4
	CeaseConnectionRejected uint8 = 5
	CeaseConfigChange       uint8 = 6
	CeaseCollision          uint8 = 7
	CeaseOutOfResources     uint8 = 8
	CeaseHardReset          uint8 = 9
	CeaseBFDDown            uint8 = 10
)

// ROUTE-REFRESH Message Error subcodes (RFC 7313 §5).
const (
	RefreshInvalidLength uint8 = 1
)

var codeNames = [...]string{
	NotifyHeader:        "message-header-error",
	NotifyOpen:          "open-message-error",
	NotifyUpdate:        "update-message-error",
	NotifyHoldTimer:     "hold-timer-expired",
	NotifyFSM:           "fsm-error",
	NotifyCease:         "cease",
	NotifyRouteRefresh:  "route-refresh-message-error",
	NotifySendHoldTimer: "send-hold-timer-expired",
}

var subcodeNames = map[NotifyCode][]string{
	NotifyHeader: {1: "connection-not-synchronized", 2: "bad-message-length", 3: "bad-message-type"},
	NotifyOpen: {1: "unsupported-version-number", 2: "bad-peer-as", 3: "bad-bgp-identifier",
		4: "unsupported-optional-parameter", 5: "authentication-failure", 6: "unacceptable-hold-time",
		7: "unsupported-capability", 8: "deprecated-8", 9: "deprecated-9", 10: "deprecated-10", 11: "role-mismatch"},
	NotifyUpdate: {1: "malformed-attribute-list", 2: "unrecognized-well-known-attribute",
		3: "missing-well-known-attribute", 4: "attribute-flags-error", 5: "attribute-length-error",
		6: "invalid-origin-attribute", 7: "as-routing-loop", 8: "invalid-next-hop-attribute",
		9: "optional-attribute-error", 10: "invalid-network-field", 11: "malformed-as-path"},
	NotifyFSM: {0: "unspecified", 1: "unexpected-message-in-opensent", 2: "unexpected-message-in-openconfirm",
		3: "unexpected-message-in-established"},
	NotifyCease: {1: "maximum-number-of-prefixes-reached", 2: "administrative-shutdown",
		3: "peer-de-configured", 4: "administrative-reset", 5: "connection-rejected",
		6: "other-configuration-change", 7: "connection-collision-resolution", 8: "out-of-resources",
		9: "hard-reset", 10: "bfd-down"},
	NotifyRouteRefresh: {1: "invalid-message-length"},
}

// String returns the code's kebab-case name ("update-message-error").
func (c NotifyCode) String() string {
	if int(c) < len(codeNames) && codeNames[c] != "" {
		return codeNames[c]
	}
	return "code-" + strconv.Itoa(int(c))
}

// SubcodeString returns the kebab-case name of subcode sub under code c.
func SubcodeString(c NotifyCode, sub uint8) string {
	if names := subcodeNames[c]; int(sub) < len(names) && names[sub] != "" {
		return names[sub]
	}
	if sub == 0 {
		return "unspecific"
	}
	return "subcode-" + strconv.Itoa(int(sub))
}

// NotifyError is a protocol error that maps to the NOTIFICATION to send.
// Data is the offending bytes the RFC asks to return (it may alias the message).
type NotifyError struct {
	Code    NotifyCode
	Subcode uint8
	Data    []byte
}

// NewNotifyError returns a *NotifyError.
func NewNotifyError(code NotifyCode, sub uint8, data []byte) *NotifyError {
	return &NotifyError{Code: code, Subcode: sub, Data: data}
}

func (e *NotifyError) Error() string {
	s := fmt.Sprintf("wire: %s / %s", e.Code, SubcodeString(e.Code, e.Subcode))
	if len(e.Data) > 0 {
		s += fmt.Sprintf(" (data %X)", e.Data)
	}
	return s
}

// AsNotify returns the *NotifyError inside err, if any.
func AsNotify(err error) (*NotifyError, bool) {
	var ne *NotifyError
	ok := errors.As(err, &ne)
	return ne, ok
}

var (
	errShortHeader  = errors.New("wire: short message header")
	errShortMessage = errors.New("wire: message truncated")
	// ErrShortBuffer is returned by encoders when the output buffer is too small.
	ErrShortBuffer = errors.New("wire: short buffer")
)

var errAttrTruncated = NewNotifyError(NotifyUpdate, UpdateMalformedAttrList, nil)
