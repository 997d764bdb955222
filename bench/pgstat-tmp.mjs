import pg from 'pg';
const c = new pg.Client({ connectionString: process.env.KITE_TEST_PG_ADMIN_URL.replace(/\/postgres$/, '/' + process.argv[2]) });
await c.connect();
const r = await c.query(`SELECT calls, round(total_exec_time::numeric,1) ms, round((total_exec_time/calls)::numeric,3) per, rows, left(regexp_replace(query,'\\s+',' ','g'),160) q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30`);
for (const x of r.rows) console.log(String(x.calls).padStart(8), String(x.ms).padStart(9), String(x.per).padStart(7), String(x.rows).padStart(8), x.q);
await c.end();
