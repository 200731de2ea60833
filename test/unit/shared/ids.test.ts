import { expect } from 'chai';
import { isId, newId } from '../../../src/shared/ids.js';

describe('newId', () => {
  it('issues valid, unique ids that sort in the order they were made', () => {
    // Far more than one pool of random bytes and many ids per millisecond.
    const ids = Array.from({ length: 20_000 }, () => newId());
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids.every(isId)).to.equal(true);
    expect([...ids].sort()).to.deep.equal(ids);
  });

  it('is a version 7 UUID carrying the current time', () => {
    const before = Date.now();
    const id = newId();
    const msecs = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(id[14]).to.equal('7');
    expect(msecs).to.be.within(before, Date.now() + 1);
  });
});
