"""What the server-drawn SVG charts share (no script, light on a slow link; each page shows the same numbers as a
table beside its chart)."""

# Colours told apart by people with the common colour-vision deficiencies (Okabe–Ito), then repeated dashed.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
