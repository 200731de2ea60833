import { expect } from 'chai';
import { hashPassword, verifyPassword } from '../../../src/auth/passwords.js';
import { checkCredentials, type VerifyPassword } from '../../../src/auth/sign-in.js';
import { createUser } from '../../../src/domain/users/users.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/databases.js';

const PASSWORD = 'correct horse battery';
/** The cost part of a stored hash, `scrypt$N=..,r=..,p=..`. */
const cost = (stored: string) => stored.split('$').slice(0, 2).join('$');

/** verifyPassword, recording the hash each call checked against. */
function watchedVerify(): { verify: VerifyPassword; checked: string[] } {
  const checked: string[] = [];
  const verify: VerifyPassword = (password, stored) => {
    checked.push(stored);
    return verifyPassword(password, stored);
  };
  return { verify, checked };
}

describe('checkCredentials', function () {
  this.timeout(20_000);
  let database: TestDatabase;
  let realHash: string;
  let userId: string;
  before(async () => {
    database = await createTestDatabase('sqlite');
    realHash = await hashPassword(PASSWORD);
    const user = await createUser(database.db.knex, {
      email: 'kim@example.test',
      name: 'Kim',
      role: 'customer',
      passwordHash: realHash,
    });
    await createUser(database.db.knex, {
      email: 'nopass@example.test',
      name: 'No Pass',
      role: 'customer',
      passwordHash: null,
    });
    userId = user.id;
  });
  after(async () => database.destroy());

  it('returns the user for the right password, in any email case', async () => {
    const { verify, checked } = watchedVerify();
    const id = await checkCredentials(database.db.knex, ' KIM@example.test', PASSWORD, verify);
    expect(id).to.equal(userId);
    expect(checked).to.deep.equal([realHash]);
  });

  it('runs one hash check of the same cost for an unknown email as for a wrong password', async () => {
    const wrong = watchedVerify();
    const unknown = watchedVerify();
    const knex = database.db.knex;
    expect(await checkCredentials(knex, 'kim@example.test', 'wrong', wrong.verify)).to.equal(
      undefined,
    );
    expect(await checkCredentials(knex, 'nobody@example.test', PASSWORD, unknown.verify)).to.equal(
      undefined,
    );
    expect(wrong.checked).to.have.length(1);
    expect(unknown.checked).to.have.length(1);
    expect(unknown.checked[0]).not.to.equal(realHash);
    expect(cost(unknown.checked[0]!)).to.equal(cost(realHash));
  });

  it('never signs in an account without a password, even if the check were to pass', async () => {
    const checked: string[] = [];
    const alwaysMatches: VerifyPassword = async (_password, stored) => {
      checked.push(stored);
      return true;
    };
    const id = await checkCredentials(database.db.knex, 'nopass@example.test', '', alwaysMatches);
    expect(id).to.equal(undefined);
    expect(checked).to.have.length(1);
    expect(cost(checked[0]!)).to.equal(cost(realHash));
  });
});
