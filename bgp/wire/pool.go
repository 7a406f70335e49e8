package wire

import "sync"

// Message buffers come from two pools sized to the RFC maxima, so reading
// and building a message never allocates once the pools are warm.
var (
	pool4K  = sync.Pool{New: func() any { b := make([]byte, MaxMsgLen); return &b }}
	pool64K = sync.Pool{New: func() any { b := make([]byte, ExtMaxMsgLen); return &b }}
)

// GetBuf returns a pooled buffer of at least size bytes (size ≤ 65535).
// Return it with PutBuf.
func GetBuf(size int) *[]byte {
	if size <= MaxMsgLen {
		return pool4K.Get().(*[]byte)
	}
	return pool64K.Get().(*[]byte)
}

// PutBuf returns a buffer obtained from GetBuf.
func PutBuf(b *[]byte) {
	switch cap(*b) {
	case MaxMsgLen:
		*b = (*b)[:MaxMsgLen]
		pool4K.Put(b)
	case ExtMaxMsgLen:
		*b = (*b)[:ExtMaxMsgLen]
		pool64K.Put(b)
	}
}
