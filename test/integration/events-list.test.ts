import { expect } from 'chai';
import { TestApi, type TestUser } from '../helpers/api.js';
import { forEachEngine } from '../helpers/databases.js';
import { createEvent, inDays } from '../helpers/fixtures.js';

forEachEngine('GET /v1/events', (database) => {
  let api: TestApi;
  let owner: TestUser;
  let customer: TestUser;
  before(async () => {
    api = await TestApi.start(database());
  });
  after(async () => api.stop());
  beforeEach(async () => {
    owner = await api.user('organiser');
    customer = await api.user('customer');
  });

  const list = (user: TestUser, query = '') =>
    api.request('GET', `/v1/events${query}`, { token: user.token });
  const titles = (res: { body: { data: Array<{ title: string }> } }) =>
    res.body.data.map((e) => e.title);

  /** Moves an event's start into the past, as time passing would. */
  async function startedAlready(id: string) {
    await database()
      .db.knex('events')
      .where({ id })
      .update({ starts_at: new Date(Date.now() - 3_600_000) });
  }

  describe('visibility', () => {
    it("lists an organiser's own events in every status, and nobody else's", async () => {
      await createEvent(api, owner, { title: 'Draft', status: 'draft', starts_at: inDays(1) });
      await createEvent(api, owner, { title: 'Live', starts_at: inDays(2) });
      const cancelled = await createEvent(api, owner, { title: 'Off', starts_at: inDays(3) });
      await api.request('PATCH', `/v1/events/${cancelled.id}`, {
        token: owner.token,
        body: { status: 'cancelled' },
      });
      await createEvent(api, await api.user('organiser'), { title: 'Theirs' });

      const res = await list(owner);

      expect(res.status).to.equal(200);
      expect(titles(res)).to.deep.equal(['Draft', 'Live', 'Off']);
      expect(res.body.data[0].ticket_types[0]).to.have.property('sold', 0);
      expect(res.body.next_cursor).to.equal(null);
    });

    it('shows customers only published events that have not started', async () => {
      await createEvent(api, owner, { title: 'Draft', status: 'draft' });
      await createEvent(api, owner, { title: 'Live', starts_at: inDays(5) });
      const started = await createEvent(api, owner, { title: 'Started' });
      await startedAlready(started.id);
      const off = await createEvent(api, owner, { title: 'Off' });
      await api.request('PATCH', `/v1/events/${off.id}`, {
        token: owner.token,
        body: { status: 'cancelled' },
      });
      await createEvent(api, await api.user('organiser'), { title: 'Other', starts_at: inDays(6) });

      const res = await list(customer);

      expect(titles(res)).to.deep.equal(['Live', 'Other']);
      for (const type of res.body.data.flatMap((e: any) => e.ticket_types)) {
        expect(type).to.not.have.property('sold');
      }
    });

    it('ignores a status filter from customers', async () => {
      await createEvent(api, owner, { title: 'Draft', status: 'draft' });
      await createEvent(api, owner, { title: 'Live' });

      expect(titles(await list(customer, '?status=draft'))).to.deep.equal(['Live']);
    });
  });

  describe('filters', () => {
    beforeEach(async () => {
      await createEvent(api, owner, {
        title: 'Jazz Night',
        description: 'Quartet',
        venue: 'Harbour Hall',
        starts_at: inDays(1),
        ends_at: inDays(1.1),
      });
      await createEvent(api, owner, {
        title: 'Folk Evening',
        description: 'With a JAZZ guest',
        venue: 'Town Hall',
        starts_at: inDays(10),
        ends_at: inDays(10.1),
      });
      await createEvent(api, owner, {
        title: '100% Rock_n_Roll',
        description: '',
        venue: 'The Cellar',
        status: 'draft',
        starts_at: inDays(20),
        ends_at: inDays(20.1),
      });
    });

    it('matches q in the title or description, ignoring case', async () => {
      expect(titles(await list(owner, '?q=jazz'))).to.deep.equal(['Jazz Night', 'Folk Evening']);
      expect(titles(await list(customer, '?q=QUARTET'))).to.deep.equal(['Jazz Night']);
    });

    it('ignores case beyond ASCII, the same on both engines', async () => {
      await createEvent(api, owner, { title: 'Über Jazz', venue: 'ÉCOLE', starts_at: inDays(30) });

      expect(titles(await list(owner, `?q=${encodeURIComponent('über')}`))).to.deep.equal([
        'Über Jazz',
      ]);
      expect(titles(await list(owner, `?q=${encodeURIComponent('ÜBER')}`))).to.deep.equal([
        'Über Jazz',
      ]);
      expect(titles(await list(customer, `?venue=${encodeURIComponent('école')}`))).to.deep.equal([
        'Über Jazz',
      ]);
    });

    it('treats % and _ in q as plain text', async () => {
      expect(titles(await list(owner, '?q=100%25'))).to.deep.equal(['100% Rock_n_Roll']);
      expect(titles(await list(owner, '?q=%25'))).to.deep.equal(['100% Rock_n_Roll']);
      expect(titles(await list(owner, '?q=k_n'))).to.deep.equal(['100% Rock_n_Roll']);
      expect(titles(await list(owner, '?q=z_N'))).to.deep.equal([]);
      expect(titles(await list(owner, '?q=%5C'))).to.deep.equal([]);
    });

    it('matches venue as text', async () => {
      expect(titles(await list(owner, '?venue=hall'))).to.deep.equal([
        'Jazz Night',
        'Folk Evening',
      ]);
      expect(titles(await list(customer, '?venue=town'))).to.deep.equal(['Folk Evening']);
    });

    it('keeps events starting from `from` (inclusive) and before `to` (exclusive)', async () => {
      const all = await list(owner);
      const [, folk, rock] = all.body.data;
      const from = encodeURIComponent(folk.starts_at);
      const to = encodeURIComponent(rock.starts_at);

      expect(titles(await list(owner, `?from=${from}`))).to.deep.equal([
        'Folk Evening',
        '100% Rock_n_Roll',
      ]);
      expect(titles(await list(owner, `?to=${to}`))).to.deep.equal(['Jazz Night', 'Folk Evening']);
      expect(titles(await list(owner, `?from=${from}&to=${to}`))).to.deep.equal(['Folk Evening']);
    });

    it('filters organisers by status', async () => {
      expect(titles(await list(owner, '?status=draft'))).to.deep.equal(['100% Rock_n_Roll']);
      expect(titles(await list(owner, '?status=published'))).to.have.length(2);
      expect(titles(await list(owner, '?status=cancelled'))).to.deep.equal([]);
    });

    it('combines filters', async () => {
      expect(titles(await list(owner, '?q=jazz&venue=town'))).to.deep.equal(['Folk Evening']);
    });

    it('rejects bad filter values with 422 naming the parameter', async () => {
      for (const [query, path] of [
        ['?from=tomorrow', 'from'],
        ['?to=2030-01-01', 'to'],
        ['?status=archived', 'status'],
        [`?q=${'x'.repeat(201)}`, 'q'],
        ['?colour=red', ''],
        ['?q=a%00b', 'q'],
        ['?venue=x%00', 'venue'],
      ]) {
        const res = await list(owner, query);
        expect(res.status, query).to.equal(422);
        expect(res.body.code).to.equal('validation_failed');
        expect(
          res.body.errors.map((e: any) => e.path),
          query,
        ).to.include(path);
      }
    });
  });

  describe('pagination', () => {
    it('walks every event once, in start order, with next_cursor', async () => {
      const created: string[] = [];
      const startTimes = [inDays(3), inDays(1), inDays(2), inDays(4)];
      for (let i = 0; i < 7; i++) {
        // Events share starts, so the id breaks the tie across page boundaries.
        const starts = startTimes[i % 4];
        const event = await createEvent(api, owner, {
          title: `E${i}`,
          starts_at: starts,
          ends_at: inDays(5),
        });
        created.push(event.id);
      }

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await list(customer, query);
        expect(res.status).to.equal(200);
        expect(res.body.data.length).to.be.at.most(3);
        seen.push(...res.body.data.map((e: any) => e.id));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor);

      expect(pages).to.equal(3);
      expect(seen).to.have.members(created).and.have.length(7);
      const all = (await list(owner, '?limit=100')).body.data;
      const byStart = [...all].sort(
        (a: any, b: any) =>
          a.starts_at.localeCompare(b.starts_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
      expect(seen).to.deep.equal(byStart.map((e: any) => e.id));
    });

    it('returns next_cursor null on an exactly full last page', async () => {
      for (let i = 0; i < 4; i++) await createEvent(api, owner, { title: `E${i}` });

      const first = await list(owner, '?limit=2');
      const second = await list(owner, `?limit=2&cursor=${first.body.next_cursor}`);

      expect(first.body.next_cursor).to.be.a('string');
      expect(second.body.data).to.have.length(2);
      expect(second.body.next_cursor).to.equal(null);
    });

    it('defaults to 20 a page', async () => {
      for (let i = 0; i < 21; i++) {
        await createEvent(api, owner, { title: `E${i}`, ticket_types: [] });
      }

      const res = await list(owner);

      expect(res.body.data).to.have.length(20);
      expect(res.body.next_cursor).to.be.a('string');
    });

    it('rejects a cursor it did not issue, and limits outside 1..100', async () => {
      const forge = (values: unknown[]) =>
        Buffer.from(JSON.stringify(values)).toString('base64url');
      for (const query of [
        '?cursor=garbage',
        `?cursor=${forge(['x', 1])}`,
        `?cursor=${forge([Date.now(), 'not-an-id'])}`,
        `?cursor=${forge([1e20, '01890000-0000-7000-8000-000000000000'])}`,
        `?cursor=${forge([-1e15, '01890000-0000-7000-8000-000000000000'])}`,
        `?cursor=${forge([1.5, '01890000-0000-7000-8000-000000000000'])}`,
        `?cursor=${'a'.repeat(501)}`,
        '?limit=0',
        '?limit=101',
        '?limit=2.5',
        '?limit=ten',
      ]) {
        const res = await list(owner, query);
        expect(res.status, query).to.equal(422);
        expect(res.body.code).to.equal('validation_failed');
      }
    });
  });
});
