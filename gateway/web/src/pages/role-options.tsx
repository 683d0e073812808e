// The roles a user or an API key may be given, as <option>s with what each
// allows (the account page's new-key dialog, the users page).

import { roleName } from '../layout';
import { roleRank } from '../store';
import type { Role } from '../types';

export const ROLES: Role[] = ['ROLE_VIEWER', 'ROLE_EDITOR', 'ROLE_ADMIN'];
const ROLE_HELP: Record<string, string> = {
  ROLE_VIEWER: 'reads everything, changes nothing',
  ROLE_EDITOR: 'also monitors, maintenance windows and status pages',
  ROLE_ADMIN: 'everything, also channels, users, keys and the audit log',
};
export function RoleOptions({ max }: { max?: Role }) {
  return (
    <>
      {ROLES.filter((r) => !max || roleRank(r) <= roleRank(max)).map((r) => (
        <option key={r} value={r}>
          {roleName(r)} — {ROLE_HELP[r]}
        </option>
      ))}
    </>
  );
}
