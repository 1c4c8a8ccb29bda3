"""Elicitation attacks on a design: `lat` (a latent perturbation at one site), `gcg` (search over
the trigger tokens), `elicit` (both on every design, per-attack rows) and `noise` (the largest
exact weight noise, and LAT under it)."""
