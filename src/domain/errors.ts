import {
  AuthError,
  ConflictError,
  NotFoundError,
  ValidationError,
  type FieldError,
} from '../shared/errors.js';

/**
 * The domain's user-facing messages, kept together. Each helper returns the typed
 * error with the stable code of API.md; callers only `throw` them.
 */
export const eventNotFound = () => new NotFoundError('No such event.');
export const ticketTypeNotFound = () => new NotFoundError('No such ticket type.');
export const bookingNotFound = () => new NotFoundError('No such booking.');

export const eventCancelled = () =>
  new ConflictError('event_cancelled', 'The event is cancelled and can no longer change.');

export const eventHasBookings = (detail: string) => new ConflictError('event_has_bookings', detail);

export const eventNotOnSale = (detail: string) => new ConflictError('event_not_on_sale', detail);

export const quantityBelowSold = (sold: number) =>
  new ConflictError(
    'quantity_below_sold',
    `The quantity cannot drop below the ${sold} tickets already sold.`,
    { extra: { sold } },
  );

export const ticketTypeHasSales = () =>
  new ConflictError(
    'ticket_type_has_sales',
    'Tickets of this type have been sold; set its quantity to what was sold to stop sales.',
  );

export const ticketTypeNameTaken = (name: string) =>
  new ConflictError(
    'ticket_type_name_taken',
    `The event already has a ticket type named "${name}".`,
  );

export const bookingNotCancellable = () =>
  new ConflictError(
    'booking_not_cancellable',
    'The event has started; its bookings can no longer be cancelled.',
  );

export const invalid = (detail: string, errors: FieldError[]) =>
  new ValidationError(detail, errors);

/** One field error as a ValidationError whose detail repeats it. */
export const invalidField = (path: string, message: string) =>
  new ValidationError(`${path} ${message}.`, [{ path, message }]);

/**
 * A validly signed token whose user is gone, or no longer holds the token's role:
 * the write found no profile to point at. The token proves nothing any more.
 */
export const accountGone = (cause: unknown) =>
  new AuthError('The account of this access token no longer exists; sign in again.', { cause });
