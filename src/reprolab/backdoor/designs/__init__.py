"""The backdoor designs: `trigger` (the interface every module shares and the bit encodings),
`password` and `sat` (the baselines), `locker` (the SHA-256 digital locker on a compiled
circuit), `catalog` (names, titles and size limits, no torch) and `registry` (build a design by
name)."""
