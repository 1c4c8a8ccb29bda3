"""The REBUS data: the puzzles (`dataset`), the authors' released answers and raw outputs
(`released`), and the paper's published table with the hand grades behind it (`published`)."""
