package harness

import (
	"context"
	"fmt"
	"time"
)

// Eventually calls check every 250ms until it returns nil or timeout passes, and then returns
// check's last error.
func Eventually(ctx context.Context, timeout time.Duration, check func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s: %w", timeout, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
