// The administration page's endpoints (ADMIN_ROUTES of the route table): offices, services,
// accounts, schedules, exceptions and holidays, sites. Supervisors read, administrators change;
// every change is written to the audit log with who made it and what it touched (never a password).
import { ADMIN_ROUTES as R } from '@sportello/protocol';
import {
  createOffice,
  createService,
  listAdminOffices,
  listAdminServices,
  updateOffice,
  updateService,
} from '../admin/catalogue.ts';
import { createOperator, listAdminOperators, resetPassword, updateOperator } from '../admin/accounts.ts';
import {
  createException,
  deleteException,
  listExceptions,
  readSchedule,
  saveSchedule,
} from '../admin/schedules.ts';
import { createSite, listAdminSites, updateSite } from '../admin/sites.ts';
import type { Account, RouteRegistrar } from './route-table.ts';
import type { FleetRouteContext } from './routes-totem.ts';

export type AdminRouteContext = FleetRouteContext & {
  /** Closes the account's live console sockets at once (its sessions are already gone). */
  onAccountSignedOut: (operatorId: string) => void;
};

export function registerAdministrationRoutes(on: RouteRegistrar, ctx: AdminRouteContext): void {
  const audit = (who: Account, action: string, target: string, detail?: string) =>
    ctx.fleet.audit.record({ actor: who.name, action, target, result: 'ok', detail: detail ?? null });
  const clock = () => ({ timeZone: ctx.timeZone, now: ctx.now() });

  on(R.listOffices, async () => listAdminOffices(ctx.db));
  on(R.createOffice, async ({ body, who }) => {
    const office = await createOffice(ctx.db, body);
    await audit(who, 'office-create', office.id, `${office.name}; walk-in ${office.walkIn}`);
    return office;
  });
  on(R.updateOffice, async ({ params, body, who }) => {
    const office = await updateOffice(ctx.db, params.id, body);
    await audit(who, 'office-update', office.id, `${office.name}; walk-in ${office.walkIn}`);
    return office;
  });

  on(R.listServices, async () => listAdminServices(ctx.db));
  on(R.createService, async ({ body, who }) => {
    const service = await createService(ctx.db, body);
    await audit(who, 'service-create', service.id, describeService(service));
    return service;
  });
  on(R.updateService, async ({ params, body, who }) => {
    const service = await updateService(ctx.db, params.id, body);
    await audit(who, 'service-update', service.id, describeService(service));
    return service;
  });

  on(R.readSchedule, async ({ params }) => readSchedule(ctx.db, params.id));
  on(R.saveSchedule, async ({ params, body, who }) => {
    const saved = await saveSchedule(ctx.db, params.id, body, clock());
    await audit(who, 'schedule-save', params.id, `${saved.entries.length} rows; ${keptDetail(saved.kept)}`);
    return saved;
  });
  on(R.listExceptions, async ({ query }) => listExceptions(ctx.db, query.from));
  on(R.createException, async ({ body, who }) => {
    const saved = await createException(ctx.db, body, who.name, clock());
    await audit(
      who,
      'exception-create',
      `${saved.officeId ?? 'all offices'} ${saved.date}`,
      `${saved.closed ? 'closed' : `${saved.start}-${saved.end}`}; ${saved.label}; ${keptDetail(saved.kept)}`,
    );
    return saved;
  });
  on(R.deleteException, async ({ params, who }) => {
    const removed = await deleteException(ctx.db, params.id);
    await audit(
      who,
      'exception-delete',
      `${removed.officeId ?? 'all offices'} ${removed.date}`,
      removed.label,
    );
    return removed;
  });

  on(R.listOperators, async () => listAdminOperators(ctx.db));
  on(R.createOperator, async ({ body, who }) => {
    const op = await createOperator(ctx.db, body);
    await audit(who, 'account-create', op.username, `${op.role}; offices ${op.offices.join(',')}`);
    return op;
  });
  on(R.updateOperator, async ({ params, body, who }) => {
    const { operator, deactivated } = await updateOperator(ctx.db, params.id, body, who.id, ctx.now());
    if (deactivated) ctx.onAccountSignedOut(operator.id);
    await audit(
      who,
      deactivated ? 'account-deactivate' : 'account-update',
      operator.username,
      `${operator.role}; ${operator.active ? 'active' : 'deactivated'}; offices ${operator.offices.join(',')}; ` +
        `languages ${operator.languages.join(',')}`,
    );
    return operator;
  });
  on(R.resetPassword, async ({ params, body, who }) => {
    const op = await resetPassword(ctx.db, params.id, body.password);
    ctx.onAccountSignedOut(op.id);
    await audit(who, 'account-password-reset', op.username);
    return op;
  });

  on(R.listSites, async () => listAdminSites(ctx.db));
  on(R.createSite, async ({ body, who }) => {
    const site = await createSite(ctx.db, body);
    await audit(who, 'site-create', site.id, `${site.name}; offices ${site.offices.join(',')}`);
    return site;
  });
  on(R.updateSite, async ({ params, body, who }) => {
    const { site, officesChanged } = await updateSite(ctx.db, params.id, body);
    // The site's totems take a new snapshot; tell them now rather than at their next poll.
    if (officesChanged) for (const office of site.offices) ctx.onAgendaChanged(office);
    await audit(who, 'site-update', site.id, `${site.name}; offices ${site.offices.join(',')}`);
    return site;
  });
}

function describeService(s: {
  officeId: string;
  slotMinutes: number;
  atTotem: boolean;
  fromHome: boolean;
  questions: unknown[];
}) {
  return `office ${s.officeId}; ${s.slotMinutes} min; totem ${s.atTotem}; home ${s.fromHome}; ${s.questions.length} questions`;
}

function keptDetail(kept: { bookingId: string }[]): string {
  return kept.length === 0
    ? 'no conflicts'
    : `kept ${kept.length} conflicting booking(s): ${kept.map((k) => k.bookingId).join(',')}`;
}
