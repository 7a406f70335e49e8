// Package image will build ze appliance images (the ze binary with the
// factory-default bundle it carries) and hold the test that boots one.
package image
