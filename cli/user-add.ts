import { readFileSync } from 'node:fs';
import { readConfig } from '../core/config.ts';
import { openDatabase } from '../core/db/database.ts';
import { migrate } from '../core/db/migrate.ts';
import { getProject } from '../core/db/projects.ts';
import { addProjectMember, saveUser } from '../core/db/users.ts';
import { ROLES } from '../core/model/roles.ts';
import { hashPassword } from '../core/password.ts';

export const USER_ADD_HELP =
  'Usage: hydrant user add NAME [--role ROLE]... [--member PROJECT]... ' +
  '[--fullname TEXT] [--email ADDRESS] [OPTIONS]\n' +
  `The password is read from standard input (one line), never from the command line.
Roles: ${ROLES.join(', ')}. Running it again for the same NAME replaces the password and roles.`;

/** `hydrant user add NAME --role R`: its own flags first, the rest are hydrant's usual settings. */
export async function userAdd(
  argv: string[],
  stdin: () => string = () => readFileSync(0, 'utf8'),
): Promise<{ code: number; message: string }> {
  const roles: string[] = [];
  const members: string[] = [];
  const rest: string[] = [];
  let fullname: string | undefined;
  let email: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const takes = ['--role', '--member', '--fullname', '--email'];
    if (!takes.includes(arg)) {
      rest.push(arg);
      continue;
    }
    const value = argv[++i];
    if (value === undefined) return { code: 2, message: `${arg} needs a value` };
    if (arg === '--role') roles.push(value);
    else if (arg === '--member') members.push(value);
    else if (arg === '--fullname') fullname = value;
    else email = value;
  }
  const { config, positional } = readConfig(rest);
  const [name, ...extra] = positional;
  if (!name || extra.length) return { code: 2, message: USER_ADD_HELP };
  if (!/^[A-Za-z0-9_.@-]{1,64}$/.test(name))
    return { code: 2, message: `invalid user name "${name}": letters, digits, _ . @ - only` };
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length) return { code: 2, message: `unknown role ${unknown.join(', ')}; roles are ${ROLES.join(', ')}` };
  const password = stdin().split('\n')[0] ?? '';
  if (password.length < 8) return { code: 2, message: 'give a password of at least 8 characters on standard input' };
  const db = openDatabase(config.dbPath);
  try {
    migrate(db);
    const missing = members.filter((p) => !getProject(db, p));
    if (missing.length) return { code: 2, message: `no such project ${missing.join(', ')}` };
    saveUser(db, { username: name, passwordHash: await hashPassword(password), roles, fullname, email });
    for (const p of members) addProjectMember(db, p, name);
  } finally {
    db.close();
  }
  return { code: 0, message: `user ${name} saved${roles.length ? ` with roles ${roles.join(', ')}` : ''}` };
}
