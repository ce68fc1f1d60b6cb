package apitest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
)

// RunClients runs clients goroutines at once. Client c calls one up to
// requests times with its own random source, seeded by c and seed, and
// stops early when ctx is done or one returns an error. RunClients
// returns once all have stopped, with how many calls succeeded and the
// errors, each naming its client.
func RunClients(ctx context.Context, clients, requests int, seed uint64, one func(rng *rand.Rand) error) (int64, []error) {
	var (
		wg   sync.WaitGroup
		done atomic.Int64
		mu   sync.Mutex
		errs []error
	)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), seed))
			for range requests {
				if ctx.Err() != nil {
					return
				}
				if err := one(rng); err != nil {
					mu.Lock()
					errs = append(errs, fmt.Errorf("client %d: %w", c, err))
					mu.Unlock()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	return done.Load(), errs
}
