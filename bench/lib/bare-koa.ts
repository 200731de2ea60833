// The baseline: a bare Koa 3 route returning a small JSON object, nothing else.
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = { id: '018f0000-0000-7000-8000-000000000000', status: 'confirmed', total: 2500 };
});
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
