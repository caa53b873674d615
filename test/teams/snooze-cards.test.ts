import { t } from '../../shared/i18n';
import { outcomeCard } from '../../teams/cards';
import { snoozeApprovalCard, snoozeDialogCard } from '../../teams/snooze-cards';
import { ACCESS_KEY_FACTS } from '../helpers/alert-facts';

const facts = ACCESS_KEY_FACTS;
const text = (card: unknown) => JSON.stringify(card);

/** The snooze's cards in Teams: in the employee's language, the lengths the interview offered, and nothing else. */
describe('the snooze cards', () => {
  it("offers the snooze on the outcome card in the employee's language, and nothing without an offer", () => {
    const offered = outcomeCard(facts, 'confirmed_verified', 'de', { workflowId: 'alert-a', approval: true });
    expect(text(offered.body)).toContain(t('de', 'snooze.offerWithApproval'));
    expect(text(offered.actions)).toContain(`"title":"${t('de', 'snooze.button')}"`);
    expect(text(offered.actions)).toContain('"vouch":"snooze","workflowId":"alert-a"');
    expect(text(offered.actions)).toContain('"msteams":{"type":"task/fetch"}');
    const plain = outcomeCard(facts, 'confirmed_verified', 'de');
    expect(plain.actions ?? []).toEqual([]);
    expect(text(plain)).not.toContain(t('de', 'snooze.button'));
  });

  it('lists exactly the offered lengths, named in German, with the question and the reason', () => {
    const card = text(snoozeDialogCard('alert-a', 'Access key created', ['1d', '3d', '14d'], 'de'));
    expect(card).toContain('"title":"1 Tag","value":"1d"');
    expect(card).toContain('"title":"3 Tage","value":"3d"');
    expect(card).toContain('"title":"2 Wochen","value":"14d"');
    expect(card).not.toContain('"value":"7d"');
    expect(card).toContain(t('de', 'snooze.howLong'));
    expect(card).toContain(t('de', 'snooze.why'));
    expect(card).toContain('"vouch":"snooze_request","workflowId":"alert-a"');
  });

  it("the operators' request has Approve / Refuse until decided, then says who decided", () => {
    const asked = {
      f: facts,
      employee: 'carol@example.com',
      duration: '3d',
      reason: 'migration',
      uiLink: 'http://ui',
    };
    const open = text(snoozeApprovalCard(asked, { workflowId: 'alert-a' }));
    expect(open).toContain('"vouch":"snooze_approve","workflowId":"alert-a"');
    expect(open).toContain('"vouch":"snooze_refuse","workflowId":"alert-a"');
    expect(open).toContain('For: 3 days');
    const decided = text(snoozeApprovalCard(asked, { decision: 'refuse', by: 'aad:olga' }));
    expect(decided).toContain('Snooze refused by aad:olga.');
    expect(decided).not.toContain('snooze_refuse');
  });
});
