"""Reviews and ratings: a verified buyer reviews each order line once (1-5 stars and text), the
seller replies once, anyone reports, staff moderate; aggregated ratings for products and
sellers."""
