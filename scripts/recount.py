"""Recounts parquet-chaos cells with DuckDB, independently of the harness's checker.

    pip install duckdb && python3 scripts/recount.py runs/<run-id>/*/*/

For each cell folder: the ids the ledger says were acked, the distinct ids DuckDB reads from every
data/**/*.parquet (a file DuckDB cannot read counts as unreadable and holds nothing), the acked ids
missing from them (lost) and the ids stored more than once.
"""
import glob, os, sys
import duckdb
for cell in sys.argv[1:]:
    con = duckdb.connect()
    con.execute("create table rows(id varchar)")
    unreadable = 0
    for f in glob.glob(os.path.join(cell, "data", "**", "*.parquet"), recursive=True):
        try:
            con.execute("insert into rows select id from read_parquet(?)", [f])
        except duckdb.Error:
            unreadable += 1
    con.execute(f"create table ledger as select * from read_json('{cell}/ledger/*.jsonl', format='newline_delimited', columns={{op:'varchar', id:'varchar'}})")
    one = lambda q: con.execute(q).fetchone()[0]
    acked = "select distinct id from ledger where op='ack'"
    print(f"{os.path.relpath(cell)}: acked {one(f'select count(*) from ({acked})')}, present {one('select count(distinct id) from rows')}, "
          f"lost {one(f'select count(*) from ({acked}) a where a.id not in (select id from rows)')}, "
          f"duplicates {one('select count(*) from (select id from rows group by id having count(*) > 1)')}, unreadable files {unreadable}")
