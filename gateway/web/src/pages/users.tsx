// `/users` (admins): people, their roles, disabling, password resets,
// removing a second factor (a lost phone), and everyone's API keys.

import { useState } from 'preact/hooks';
import { api } from '../api';
import { Card, Confirm, Empty, ErrorBox, Field, Loaded, Modal, PageHeader, Spinner } from '../components/ui';
import { ago, dateTime } from '../format';
import { formErrors } from '../forms';
import { act, useAsync, useStore, useTitle } from '../hooks';
import { roleName } from '../layout';
import { store } from '../store';
import type { Role, User } from '../types';
import { KeysTable, RoleOptions, ROLES } from './account';

// 18 characters from a 56-letter alphabet without look-alikes: ~104 bits.
function generatePassword(): string {
  const abc = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => abc[b % abc.length]).join('');
}

export function UsersPage() {
  useTitle('Users');
  const s = useStore();
  const q = useAsync(() => (s.isAdmin ? api.listUsers() : Promise.resolve([])), [s.isAdmin]);
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [removingTotp, setRemovingTotp] = useState<User | null>(null);

  if (s.caller && !s.isAdmin) return <ErrorBox error="Only admins can manage users." />;

  const update = async (u: User, patch: User, mask: string[], done: string) => {
    if (await act(() => api.updateUser(u.id!, { id: u.id!, ...patch }, mask), done)) q.reload();
  };
  const remove = async (u: User) => {
    if (await act(() => api.deleteUser(u.id!), `Deleted ${u.username}`)) q.reload();
  };
  const removeTotp = async (u: User) => {
    if (await act(() => api.disableTotp(u.id!), `Removed two-factor sign-in of ${u.username}`)) q.reload();
  };

  return (
    <>
      <PageHeader title="Users" subtitle="Who can sign in, and what their role lets them do.">
        <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
          <span aria-hidden="true">+</span> New user
        </button>
      </PageHeader>
      {creating && <UserDialog onClose={() => setCreating(false)} onDone={q.reload} />}
      {resetting && <UserDialog user={resetting} onClose={() => setResetting(null)} onDone={q.reload} />}
      {deleting && (
        <Confirm
          title={`Delete ${deleting.username}?`}
          body="Their API keys stop working and their sessions end. The audit log keeps their past changes."
          confirm="Delete user"
          danger
          onConfirm={() => void remove(deleting)}
          onClose={() => setDeleting(null)}
        />
      )}
      {removingTotp && (
        <Confirm
          title={`Remove two-factor sign-in of ${removingTotp.username}?`}
          body="Their password alone then signs them in, until they set up an authenticator app again on their Account page. Do this when they have lost their phone, after checking it is really them."
          confirm="Remove two-factor"
          danger
          onConfirm={() => void removeTotp(removingTotp)}
          onClose={() => setRemovingTotp(null)}
        />
      )}
      <Loaded q={q} label="Loading users" isEmpty={(users) => users.length === 0} empty={<Empty title="No users yet" />}>
        {(users) => (
          <Card>
            <div class="table-wrap">
              <table class="table stack-table">
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Role</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-phone">Last sign-in</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {users.map((u) => {
                    const self = u.id === s.caller?.userId;
                    return (
                      <tr key={u.id} class={u.disabled ? 'row-disabled' : ''}>
                        <td>
                          <div class="user-cell">
                            <span class="avatar" aria-hidden="true">
                              {(u.username ?? '?').charAt(0).toUpperCase()}
                            </span>
                            <div>
                              <strong>{u.username}</strong>
                              {self && <span class="pill pill-small">You</span>}
                              {u.displayName && <div class="muted small">{u.displayName}</div>}
                            </div>
                          </div>
                        </td>
                        <td>
                          <select
                            class="select-inline"
                            aria-label={`Role of ${u.username}`}
                            value={u.role}
                            disabled={self}
                            title={self ? 'You cannot change your own role' : undefined}
                            onChange={(e) => void update(u, { role: e.currentTarget.value as Role }, ['role'], `${u.username} is now ${roleName(e.currentTarget.value)}`)}
                          >
                            {ROLES.map((r) => (
                              <option key={r} value={r}>
                                {roleName(r)}
                              </option>
                            ))}
                          </select>
                        </td>
                        <td>
                          {u.disabled ? <span class="badge badge-paused badge-flat">Disabled</span> : <span class="badge badge-up badge-flat">Active</span>}
                          {u.totpEnabled && (
                            <span class="pill pill-small" title="Signs in with an authenticator app code too">
                              2FA
                            </span>
                          )}
                        </td>
                        <td class="hide-phone" title={u.lastLoginTime ? dateTime(u.lastLoginTime) : undefined}>
                          {u.lastLoginTime ? ago(u.lastLoginTime) : <span class="muted">Never</span>}
                        </td>
                        <td class="actions">
                          <button type="button" class="btn btn-small" aria-label={`Reset password of ${u.username}`} onClick={() => setResetting(u)}>
                            Reset password
                          </button>
                          {!self && u.totpEnabled && (
                            <button type="button" class="btn btn-small" aria-label={`Remove two-factor of ${u.username}`} onClick={() => setRemovingTotp(u)}>
                              Remove two-factor
                            </button>
                          )}
                          {!self && (
                            <button
                              type="button"
                              class="btn btn-small"
                              aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.username}`}
                              onClick={() => void update(u, { disabled: !u.disabled }, ['disabled'], `${u.disabled ? 'Enabled' : 'Disabled'} ${u.username}`)}
                            >
                              {u.disabled ? 'Enable' : 'Disable'}
                            </button>
                          )}
                          {!self && (
                            <button type="button" class="btn btn-small btn-danger-outline" aria-label={`Delete ${u.username}`} onClick={() => setDeleting(u)}>
                              Delete
                            </button>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </Card>
        )}
      </Loaded>
      {s.isAdmin && <AllKeysCard />}
    </>
  );
}

function AllKeysCard() {
  const q = useAsync(() => api.listApiKeys('-'), []);
  return (
    <Card title="All API keys">
      {q.error ? <ErrorBox error={q.error} onRetry={q.reload} /> : !q.data ? <Spinner label="Loading keys" /> : <KeysTable keys={q.data.apiKeys ?? []} owner onRevoked={q.reload} empty="Nobody has an API key." />}
    </Card>
  );
}

// A new user (`user` unset) or a password reset of `user`.
function UserDialog({ user, onClose, onDone }: { user?: User; onClose: () => void; onDone: () => void }) {
  const [v, setV] = useState({ username: '', displayName: '', role: 'ROLE_VIEWER' as Role, password: '' });
  const [shown, setShown] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v, x: string) => setV({ ...v, [k]: x });

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!user && !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(v.username)) errs.username = 'Use 1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit';
    if (v.password.length < 12) errs.password = 'Use at least 12 characters';
    setErrors(errs);
    setFormError(null);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      if (user) await api.updateUser(user.id!, { id: user.id!, password: v.password }, ['password']);
      else await api.createUser({ username: v.username, displayName: v.displayName.trim(), role: v.role, password: v.password });
      store.notify(user ? `New password set for ${user.username}` : `Created ${v.username}`);
      onDone();
      onClose();
    } catch (ex) {
      const { fields, form } = formErrors(ex, 'user', ['username', 'display_name', 'password', 'role']);
      setErrors({ username: fields.username ?? '', password: fields.password ?? '', displayName: fields.display_name ?? '' });
      setFormError(form);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal title={user ? `Reset the password of ${user.username}` : 'New user'} onClose={onClose} class="dialog-wide">
      <form class="stack" onSubmit={(e) => void submit(e)} noValidate>
        {formError && <ErrorBox error={formError} />}
        {user ? (
          <p class="muted">Their sessions end, and they are asked to choose a new password when they next sign in.</p>
        ) : (
          <>
            <Field id="new-username" label="Username" error={errors.username} hint="Lowercase letters, digits, “.”, “_” and “-”. Cannot change later.">
              {(id, d) => <input id={id} value={v.username} autoCapitalize="none" spellcheck={false} autoComplete="off" aria-invalid={!!errors.username} aria-describedby={d} onInput={(e) => set('username', e.currentTarget.value.toLowerCase())} autoFocus />}
            </Field>
            <Field id="new-display" label="Full name" error={errors.displayName} hint="Optional.">
              {(id, d) => <input id={id} value={v.displayName} maxLength={200} aria-describedby={d} onInput={(e) => set('displayName', e.currentTarget.value)} />}
            </Field>
            <Field id="new-role" label="Role">
              {(id) => (
                <select id={id} value={v.role} onChange={(e) => set('role', e.currentTarget.value)}>
                  <RoleOptions />
                </select>
              )}
            </Field>
          </>
        )}
        <Field id="new-password" label={user ? 'New password' : 'Initial password'} error={errors.password} hint="At least 12 characters. Share it over a safe channel.">
          {(id, d) => (
            <div class="copy-field">
              <input
                id={id}
                type={(shown ? 'text' : 'password') as 'password'}
                class={shown ? 'mono' : ''}
                autoComplete="new-password"
                value={v.password}
                aria-invalid={!!errors.password}
                aria-describedby={d}
                onInput={(e) => set('password', e.currentTarget.value)}
                autoFocus={!!user}
              />
              <button
                type="button"
                class="btn"
                onClick={() => {
                  set('password', generatePassword());
                  setShown(true);
                }}
              >
                Generate
              </button>
            </div>
          )}
        </Field>
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? 'Saving…' : user ? 'Set password' : 'Create user'}
          </button>
        </div>
      </form>
    </Modal>
  );
}
