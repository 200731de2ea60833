/** The two roles of API.md; a user holds exactly one. */
export const ROLES = ['organiser', 'customer'] as const;
export type Role = (typeof ROLES)[number];

/** Who is acting, as proven by a verified access token. */
export interface Actor {
  userId: string;
  role: Role;
}
