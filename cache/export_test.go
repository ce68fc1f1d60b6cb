package cache

// Waiters returns how many callers wait for c's counts in flight.
func Waiters(c *Count) int {
	c.flights.mu.Lock()
	defer c.flights.mu.Unlock()
	n := 0
	for _, f := range c.flights.m {
		n += f.waiters
	}
	return n
}
