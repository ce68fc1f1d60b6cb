package client_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a test, example or walk leaves a goroutine
// behind: a request, response body, timer or connection not released.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
