import v8 from 'node:v8';
const used = () => { gc(); gc(); return v8.getHeapStatistics().used_heap_size / 1048576; };
let base = used();
for (const m of process.argv.slice(2)) {
  const mod = await import(m);
  const u = used(); console.log(m, (u - base).toFixed(2), 'MB'); base = u;
}
