"""Pure catalog rules: attribute values, prices, SKUs, options, images and CSV rows. No I/O."""
