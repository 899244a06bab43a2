-- The database ceiling of a checkout: the writes of one order in one transaction, on scratch
-- tables (bench_*, created by bench/run.py in the bench database): the order row, two lines,
-- a ledger journal with two postings that sum to zero, and a stock decrement per line (rows
-- locked in id order, as a checkout must, so concurrent orders never deadlock).
\set buyer random(1, :buyers)
\set sku_a random(1, :skus)
\set sku_b random(1, :skus)
\set first least(:sku_a, :sku_b)
\set second greatest(:sku_a, :sku_b)
BEGIN;
INSERT INTO bench_order (buyer_id, total_minor, currency, created_at)
    VALUES (:buyer, 5998, 'EUR', now()) RETURNING id AS order_id \gset
INSERT INTO bench_order_line (order_id, sku_id, quantity, unit_price_minor)
    VALUES (:order_id, :first, 1, 2999), (:order_id, :second, 1, 2999);
INSERT INTO bench_journal (idempotency_key, order_id, created_at)
    VALUES ('order:' || :order_id, :order_id, now()) RETURNING id AS journal_id \gset
INSERT INTO bench_posting (journal_id, account, currency, amount_minor)
    VALUES (:journal_id, 'buyer:' || :buyer, 'EUR', -5998),
           (:journal_id, 'escrow:order:' || :order_id, 'EUR', 5998);
UPDATE bench_stock SET stock = stock - 1 WHERE sku_id = :first;
UPDATE bench_stock SET stock = stock - 1 WHERE sku_id = :second;
COMMIT;
