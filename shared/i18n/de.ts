import type { Catalogue } from './catalogue';

/** What the employee reads, in German (informal "du", as Slack's own German speaks to people). */
export const de: Catalogue = {
  'dm.notification': 'Sicherheitsprüfung: Warst du das? {title}',
  'dm.intro':
    ':wave: Hallo! Unsere Sicherheitsüberwachung hat die folgende Aktivität in deinem Konto bemerkt. Warst du das?',
  'dm.yes': 'Ja, das war ich',
  'dm.no': 'Nein, das war ich nicht',
  'dm.noConfirmTitle': 'Als „nicht ich“ melden?',
  'dm.noConfirmText': 'Das Sicherheitsteam wird sofort benachrichtigt.',
  'dm.noConfirmButton': 'Das war ich nicht',
  'dm.coerced': 'Jemand hat mich darum gebeten',
  'dm.coercedConfirmTitle': 'Hat dich jemand darum gebeten?',
  'dm.coercedConfirmText':
    'Das Sicherheitsteam wird sofort benachrichtigt und meldet sich bei dir. Du hast nichts falsch gemacht.',
  'dm.coercedConfirmButton': 'Sicherheitsteam informieren',
  'dialog.goBack': 'Zurück',
  'reminder.first': 'Erinnerung: Bitte beantworte die Sicherheitsprüfung zu „{title}“ oben bis {deadline}.',
  'reminder.again':
    'Erinnerung ({n}): Bitte beantworte die Sicherheitsprüfung zu „{title}“ oben bis {deadline}.',
  'rollup.notification': 'Sicherheitsprüfung: {count} ähnliche Warnungen, eine Antwort. Neueste: {title}',
  'rollup.covers':
    ':repeat: Diese Frage gilt jetzt für *{count} Warnungen* wie diese; deine Antwort entscheidet über alle. Die neueste:',

  'alert.facts': 'Wann: {when}  ·  Quelle: {source}  ·  Schweregrad: {severity}',
  'severity.low': 'niedrig',
  'severity.medium': 'mittel',
  'severity.high': 'hoch',
  'severity.critical': 'kritisch',
  'alert.moreDetails': '{count} weitere Details im Bericht.',
  'alert.link': 'Warnung ansehen',
  'alert.linkNotLive': 'Link der Warnung (kein Host, den Vouch verlinkt): {url}',
  'alert.untitled': 'Sicherheitsprüfung',

  'outcome.confirmed_verified':
    ':white_check_mark: Danke, du hast das bestätigt und nachgewiesen, dass du es warst. Sonst ist nichts zu tun.',
  'outcome.denied':
    ':rotating_light: Du hast gemeldet, dass du das nicht warst. Das Sicherheitsteam ist benachrichtigt und meldet sich bald bei dir. Bitte behalte dein Konto im Blick.',
  'outcome.no_response':
    ':hourglass: Diese Prüfung ist ohne Antwort abgelaufen und ging an das Sicherheitsteam.',
  'outcome.second_factor_failed':
    ':x: Die Prüfung mit dem zweiten Faktor ist nicht gelungen, daher ging dies an das Sicherheitsteam.',
  'outcome.not_enrolled':
    ':information_source: Du hast keinen zweiten Faktor eingerichtet, daher meldet sich das Sicherheitsteam.',
  'outcome.unknown_employee':
    'Diese Prüfung konnte dir nicht zugeordnet werden und ging an das Sicherheitsteam.',
  'outcome.suppressed': 'Du hast dieselbe Aktivität kürzlich bestätigt; nichts zu tun.',
  'outcome.skipped_by_operator': 'Das Sicherheitsteam hat diese Prüfung geschlossen; nichts zu tun.',
  'outcome.closed_by_operator': 'Das Sicherheitsteam hat diese Prüfung geschlossen; nichts zu tun.',
  'outcome.escalated_by_operator': 'Das Sicherheitsteam hat diese Prüfung übernommen.',
  'outcome.disabled_by_policy': 'Nichts zu tun: Warnungen dieser Art werden nicht mit dir geprüft.',
  'outcome.failed_closed':
    'Vouch konnte diese Prüfung nicht abschließen, daher ging sie an das Sicherheitsteam.',
  'outcome.cancelled': 'Diese Prüfung wurde abgebrochen, und das Sicherheitsteam ist informiert.',
  'outcome.manager_confirmed':
    ':information_source: Diese Prüfung ist ohne deine Antwort abgelaufen; deine Führungskraft weiß davon, daher wurde sie geschlossen.',
  'outcome.coercion_reported': [
    ':rotating_light: Danke, dass du es uns sagst. Bitte tu jetzt Folgendes:',
    '• Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat.',
    '• Gib keine Codes weiter und bestätige keine Anmeldeanfragen, egal wer fragt.',
    '• Installiere oder starte nichts, was sie dir geschickt hat.',
    'Das Sicherheitsteam ist mit Vorrang benachrichtigt und meldet sich in Kürze hier in Slack bei dir. Sei bis dahin misstrauisch gegenüber allen anderen, die sagen, sie seien vom Sicherheitsteam.',
  ].join('\n'),

  'modal.cancel': 'Abbrechen',
  'modal.close': 'Schließen',
  'modal.notRecordedTitle': 'Nicht gespeichert',
  'secondFactor.title': 'Bestätige, dass du es warst',
  'secondFactor.submit': 'Prüfen',
  'secondFactor.why': 'Warum hast du das getan?',
  'secondFactor.whyExample': 'z. B. neues Abrechnungskonto eingerichtet, Ticket OPS-123',
  'secondFactor.code': 'Code aus deiner Authenticator-App',
  'secondFactor.codeHint': 'Die 6 Ziffern für Vouch. Gib diesen Code niemals an andere weiter.',
  'secondFactor.coerced': 'Jemand bittet mich gerade darum',
  'secondFactor.passkeyInstead': 'Stattdessen mit Passkey bestätigen',
  'secondFactor.passkey': 'Mit Passkey bestätigen',
  'secondFactor.passkeyHint':
    'Öffnet eine Vouch-Seite in deinem Browser, wo dein Passkey bestätigt, dass du es warst.',
  'secondFactor.codeFormat': 'Gib die 6 Ziffern ein, die deine Authenticator-App für Vouch zeigt.',
  'secondFactor.wrongCode.one': 'Dieser Code hat nicht funktioniert. Noch {n} Versuch.',
  'secondFactor.wrongCode.other': 'Dieser Code hat nicht funktioniert. Noch {n} Versuche.',
  'secondFactor.notAvailableTitle': 'Nicht verfügbar',
  'secondFactor.notAvailable': 'Vouch ist falsch eingerichtet; das Sicherheitsteam meldet sich.',
  'secondFactor.verifyingTitle': 'Wird geprüft…',
  'secondFactor.verifying': ':hourglass: Dein Code wird geprüft…',
  'secondFactor.verifiedTitle': 'Bestätigt',
  'secondFactor.verified': ':white_check_mark: Bestätigt. Danke, sonst ist nichts zu tun.',
  'secondFactor.tryAgainTitle': 'Noch einmal',
  'secondFactor.tryAgain.one':
    'Dieser Code hat nicht funktioniert (noch {n} Versuch). Drück noch einmal auf „{yes}“.',
  'secondFactor.tryAgain.other':
    'Dieser Code hat nicht funktioniert (noch {n} Versuche). Drück noch einmal auf „{yes}“.',
  'secondFactor.notVerifiedTitle': 'Nicht bestätigt',
  'secondFactor.notVerified':
    ':x: Der Code konnte nicht bestätigt werden, daher meldet sich das Sicherheitsteam bei dir.',
  'coercion.modalTitle': 'Sicherheitsteam informiert',
  'coercion.modal':
    ':rotating_light: Danke, dass du es uns sagst. Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat, gib keine Codes weiter und bestätige keine Anmeldeanfragen. Das Sicherheitsteam meldet sich in Kürze hier in Slack bei dir.',

  'reply.denied': ':rotating_light: Danke für die Meldung. Das Sicherheitsteam ist benachrichtigt.',
  'reply.coerced':
    ':rotating_light: Danke. Das Sicherheitsteam ist mit Vorrang benachrichtigt. Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat, gib keine Codes weiter und bestätige keine Anmeldeanfragen.',
  'reply.checkGone': 'Diese Prüfung gibt es nicht mehr; nichts zu tun.',
  'reply.notYourAlert':
    ':no_entry: Diese Warnung betrifft nicht dich, daher kannst du sie nicht beantworten.',
  'reply.finished': 'Diese Prüfung ist schon abgeschlossen; danke, sonst ist nichts zu tun.',
  'reply.timePassed': 'Die Zeit für eine Antwort ist abgelaufen; das Sicherheitsteam meldet sich bei dir.',
  'reply.alreadyAnswered': 'Du hast diese Prüfung schon beantwortet; danke.',
  'reply.notSaved':
    'Vouch konnte das gerade nicht speichern; es wurde nichts gespeichert. Bitte versuch es in einer Minute noch einmal.',
  'reply.noLongerYours': 'Diese Prüfung ist schon abgeschlossen oder nicht mehr deine.',
  'reply.held':
    'Vouch konnte deine Antwort gerade nicht weitergeben; sie ist gespeichert und wird weitergegeben, sobald es geht. Du musst sie nicht noch einmal senden.',
  'reply.heldCoerced':
    'Danke. Vouch konnte das Sicherheitsteam gerade nicht benachrichtigen; deine Antwort ist gespeichert, und das Team wird benachrichtigt, sobald es geht. Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat, gib keine Codes weiter und bestätige keine Anmeldeanfragen.',

  'teams.ask': 'Warst du das? Sicherheitsprüfung von Vouch',
  'teams.askNamed': 'Hallo {name}, warst du das? Sicherheitsprüfung von Vouch',
  'teams.answerBy': 'Bitte antworte bis {deadline}.',
  'teams.dialogLead': 'Bestätige „{title}“ mit dem 6-stelligen Code aus deiner Authenticator-App.',
  'teams.dialogLeadPasskey': 'Bestätige „{title}“ mit deinem Passkey.',
  'teams.dialogLeadBoth':
    'Bestätige „{title}“ mit dem 6-stelligen Code aus deiner Authenticator-App oder mit deinem Passkey.',
  'teams.why': 'Warum hast du das getan? (optional)',
  'teams.verifying': 'Wird geprüft… Die Karte im Chat zeigt das Ergebnis.',
  'teams.verified': 'Bestätigt: Danke, sonst ist nichts zu tun.',
  'teams.coerced':
    'Danke, dass du es uns sagst. Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat, gib keine Codes weiter und bestätige keine Anmeldeanfragen. Das Sicherheitsteam ist mit Vorrang benachrichtigt und meldet sich in Kürze hier in Teams bei dir.',
  'teams.outcome.coercion_reported': [
    'Danke, dass du es uns sagst. Bitte tu jetzt Folgendes:',
    '• Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat.',
    '• Gib keine Codes weiter und bestätige keine Anmeldeanfragen, egal wer fragt.',
    '• Installiere oder starte nichts, was sie dir geschickt hat.',
    'Das Sicherheitsteam ist mit Vorrang benachrichtigt und meldet sich in Kürze hier in Teams bei dir. Sei bis dahin misstrauisch gegenüber allen anderen, die sagen, sie seien vom Sicherheitsteam.',
  ].join('\n'),

  'page.askTitle': 'Sicherheitsprüfung: Warst du das?',
  'page.askLead':
    'Unsere Sicherheitsüberwachung hat die folgende Aktivität in deinem Konto gesehen. Warst du das?',
  'page.when': 'Wann',
  'page.source': 'Quelle',
  'page.severity': 'Schweregrad',
  'page.details': 'Details',
  'page.choices': 'Deine Antwort',
  'page.bindNote':
    'Deine erste Antwort bindet diesen Link an diesen Browser: danach funktioniert er in keinem anderen.',
  'page.codeTitle': 'Bestätige, dass du es bist',
  'page.codeLead': 'Gib den aktuellen 6-stelligen Code für Vouch aus deiner Authenticator-App ein.',
  'page.codeLabel': '6-stelliger Code',
  'page.justificationLabel': 'Was hast du gemacht? (optional)',
  'page.verify': 'Bestätigen',
  'page.codeFormat': 'Gib die 6 Ziffern ein, die deine Authenticator-App für Vouch zeigt.',
  'page.codeWrong.one': 'Dieser Code wurde nicht angenommen. Noch {n} Versuch.',
  'page.codeWrong.other': 'Dieser Code wurde nicht angenommen. Noch {n} Versuche.',
  'page.passkeyLead':
    'Nutze deinen Passkey: Fingerabdruck, Gesicht oder die PIN dieses Geräts oder deines Sicherheitsschlüssels.',
  'page.passkeyButton': 'Mit meinem Passkey bestätigen',
  'page.passkeyNoScript': 'Dein Passkey braucht JavaScript, das in diesem Browser ausgeschaltet ist.',
  'page.passkeyOrCode': 'Oder nutze deine Authenticator-App',
  'page.passkeyMalformed':
    'Die Prüfung mit deinem Passkey wurde nicht abgeschlossen. Versuche es noch einmal.',
  'page.passkeyWrong.one': 'Dein Passkey wurde nicht angenommen. Noch {n} Versuch.',
  'page.passkeyWrong.other': 'Dein Passkey wurde nicht angenommen. Noch {n} Versuche.',
  'page.noFactorTitle': 'Bestätige deine Antwort',
  'page.noFactorLead':
    'Du hast bei Vouch keinen zweiten Faktor eingerichtet; das Sicherheitsteam meldet sich womöglich bei dir.',
  'page.confirm': 'Bestätigen: Das war ich',
  'page.deniedTitle': 'Danke',
  'page.denied':
    'Danke für deine Meldung. Das Sicherheitsteam ist benachrichtigt und meldet sich in Kürze bei dir.',
  'page.coerced':
    'Danke für deine Meldung. Beende das Gespräch oder den Chat mit der Person, die dich gebeten hat, gib keine Codes weiter und bestätige keine Anmeldeanfragen. Das Sicherheitsteam ist mit Vorrang benachrichtigt und meldet sich in Kürze bei dir.',
  'page.verifiedTitle': 'Bestätigt',
  'page.verified':
    'Danke, du hast das bestätigt und nachgewiesen, dass du es warst. Sonst ist nichts zu tun: Du kannst diese Seite schließen.',
  'page.notVerifiedTitle': 'Nicht bestätigt',
  'page.notVerified': 'Die Code-Prüfung ist nicht gelungen, daher ging dies an das Sicherheitsteam.',
  'page.recordedTitle': 'Antwort gespeichert',
  'page.recorded': 'Danke, deine Antwort ist gespeichert. Das Ergebnis folgt per E-Mail.',
  'page.missingTitle': 'Link ungültig',
  'page.missing': 'Dieser Link ist ungültig. Verwende den Link in der neuesten E-Mail von Vouch.',
  'page.expiredTitle': 'Link abgelaufen',
  'page.expired':
    'Dieser Link ist abgelaufen und ändert nichts mehr. Unbeantwortete Prüfungen verfolgt das Sicherheitsteam weiter.',
  'page.closedTitle': 'Prüfung abgeschlossen',
  'page.closed':
    'Diese Prüfung ist abgeschlossen, und ihre Links funktionieren nicht mehr. Hier ist nichts mehr zu tun.',
  'page.otherBrowserTitle': 'In einem anderen Browser beantwortet',
  'page.otherBrowser':
    'Diese Prüfung wurde in einem anderen Browser beantwortet, daher funktionieren ihre Links hier nicht. Wenn das nicht du warst, sag sofort deinem Sicherheitsteam Bescheid.',
  'page.badFormTitle': 'Seite veraltet',
  'page.badForm':
    'Diese Seite war veraltet, daher wurde nichts gespeichert. Öffne den Link aus deiner E-Mail erneut.',
  'page.answeredTitle': 'Schon beantwortet',
  'page.laterTitle': 'Bitte später erneut versuchen',

  'snooze.offer':
    'Machst du das bald wieder? Du kannst darum bitten, Warnungen wie diese eine Zeit lang stummzuschalten.',
  'snooze.offerWithApproval':
    'Machst du das bald wieder? Du kannst darum bitten, Warnungen wie diese eine Zeit lang stummzuschalten (das Sicherheitsteam stimmt vorher zu).',
  'snooze.button': 'Ähnliche Warnungen stummschalten…',
  'snooze.title': 'Warnungen stummschalten',
  'snooze.submit': 'Anfragen',
  'snooze.howLong': 'Wie lange?',
  'snooze.why': 'Warum? (sieht das Sicherheitsteam)',
  'snooze.whyExample': 'z. B. ich ziehe diese Woche die Abrechnungskonten um',
  'snooze.askingTitle': 'Wird angefragt…',
  'snooze.asking': ':hourglass: Wird angefragt…',
  'snooze.notPossibleTitle': 'Nicht möglich',
  'snooze.notPossible':
    ':no_entry: Über diese Prüfung lassen sich ähnliche Warnungen nicht mehr stummschalten.',
  'snooze.askedTitle': 'Angefragt',
  'snooze.asked':
    ':hourglass: Angefragt. Das Sicherheitsteam entscheidet; bis dahin wirst du vielleicht noch gefragt.',
  'snooze.doneTitle': 'Erledigt',
  'snooze.done': ':zzz: Erledigt. Warnungen wie diese bleiben für die gewählte Zeit stumm.',
  'snooze.notYours': ':no_entry: Diese Warnung betrifft nicht dich.',
  'snooze.onlyAfterVerified':
    ':no_entry: Warnungen lassen sich nur stummschalten, nachdem du eine mit deinem zweiten Faktor bestätigt hast, und nur wo die Richtlinie es erlaubt.',
  'snooze.offerExpired':
    'Dieses Angebot ist abgelaufen; bei der nächsten Warnung dieser Art wirst du wieder gefragt.',
  'duration.days.one': '{n} Tag',
  'duration.days.other': '{n} Tage',
  'duration.weeks.one': '{n} Woche',
  'duration.weeks.other': '{n} Wochen',

  'manager.notification': 'Sicherheitsprüfung: Weißt du von dieser Aktivität von {employee}? {title}',
  'manager.intro':
    ':wave: Hallo! Unsere Sicherheitsüberwachung hat die folgende Aktivität im Konto von {employee} bemerkt, und auf unsere Nachfrage kam keine Antwort. Weißt du davon?',
  'manager.knows': 'Ich weiß davon',
  'manager.does_not_know': 'Nein',
  'manager.cannot_tell': 'Kann ich nicht sagen',
  'manager.footer':
    'Deine Antwort wird als deine Aussage festgehalten; sie bestätigt nichts. „{doesNotKnow}“ benachrichtigt sofort das Sicherheitsteam. Bitte antworte bis {deadline}.',
  'manager.recorded': ':white_check_mark: Danke, festgehalten: „{answer}“.',
  'manager.expired': ':hourglass: Diese Frage ist abgelaufen; das Sicherheitsteam kümmert sich.',
  'manager.gone': 'Diese Frage gibt es nicht mehr; nichts zu tun.',
  'manager.closed': 'Diese Frage ist schon geschlossen; danke, sonst ist nichts zu tun.',
  'manager.notYours': ':no_entry: Diese Frage ist nicht an dich gerichtet.',
  'manager.thanksAlerted': ':rotating_light: Danke. Das Sicherheitsteam ist benachrichtigt.',
  'manager.thanks': 'Danke, deine Antwort ist festgehalten.',

  'teams.status.open': 'Offene Prüfungen ({count})',
  'teams.status.answerOnCards': 'Beantworte sie auf ihren Karten in diesem Chat.',
  'teams.status.recent': 'Zuletzt',
  'teams.help.about':
    'Vouch bittet dich hier, Sicherheitswarnungen zu deinem Konto zu bestätigen, auf einer Karte mit Ja und Nein.',
  'teams.help.status': 'deine offenen Prüfungen und die letzten Ergebnisse',
  'teams.help.help': 'diese Nachricht',
  'teams.help.enroll': 'deinen zweiten Faktor einrichten (oder ersetzen), über einen Link, der einmal gilt',
  'teams.status.enrolled': 'Dein zweiter Faktor ist eingerichtet.',
  'teams.status.notEnrolled': 'Du hast noch keinen zweiten Faktor: schreib enroll, um einen einzurichten.',
  'teams.enroll.unknown':
    'Vouch kennt dich noch nicht mit Namen und kann dir hier keinen zweiten Faktor einrichten. Frag dein Sicherheitsteam.',
  'teams.enroll.needsOperator':
    'Einen zweiten Faktor aus Teams einzurichten braucht einen Sicherheits-Operator, und hier ist keiner eingerichtet. Bitte dein Sicherheitsteam, dich persönlich einzurichten.',
  'teams.followUp.about': 'Eine Frage zu „{title}“',
  'teams.followUp.machineWritten': 'Maschinell formulierte Frage (ein KI-Assistent des Sicherheitsteams).',
  'teams.followUp.note':
    'Freiwillig: Schreib deine Antwort als nächste Nachricht in diesen Chat, um dem Sicherheitsteam zu helfen. Gib niemals Passwörter oder Codes weiter.',

  'followUp.note':
    'Freiwillig: Antworte in diesem Thread, um dem Sicherheitsteam zu helfen. Gib niemals Passwörter oder Codes weiter.',
  'followUp.noteMachineWritten':
    ':robot_face: Maschinell formulierte Frage (ein KI-Assistent des Sicherheitsteams). Freiwillig: Antworte in diesem Thread, um dem Sicherheitsteam zu helfen. Gib niemals Passwörter oder Codes weiter.',
  'followUp.thanks': 'Danke, deine Antworten sind beim Sicherheitsteam. Sonst ist nichts zu tun.',

  'help.text': [
    '*Vouch* bittet dich, Sicherheitswarnungen zu deinem Konto zu bestätigen.',
    '• `/vouch status`: deine offenen Prüfungen und die letzten Ergebnisse',
    '• `/vouch enroll`: deinen zweiten Faktor einrichten (oder ersetzen), über einen Link, der einmal funktioniert',
    '• `/vouch help`: diese Nachricht',
  ].join('\n'),
  'help.unknown': '`{command}` kenne ich nicht.',
  'enroll.needsOperator':
    'Einen zweiten Faktor in Slack einzurichten braucht jemanden aus dem Sicherheitsteam, und hier ist niemand eingetragen. Bitte dein Sicherheitsteam, dich persönlich einzurichten (`vouch enroll`).',
  'enroll.link':
    'Öffne diesen Link in deinem Browser, um deinen zweiten Faktor einzurichten: {url}\nEr funktioniert einmal, in einem Browser, {minutes} Minuten lang. Jemand aus dem Sicherheitsteam meldet sich über einen vertrauenswürdigen Weg (Anruf oder Videocall) bei dir, um einen Kopplungscode auf dieser Seite zu prüfen, bevor der Schlüssel erscheint. Gib diese Seite und den Schlüssel niemals an andere weiter.',
  'enroll.doneForEmployee':
    ':lock: Für dich wurde gerade ein neuer zweiter Faktor für Vouch eingerichtet. Wenn du das nicht warst, sag sofort deinem Sicherheitsteam Bescheid.',
  'status.open': '*Offene Prüfungen ({count})*\n{lines}\nBeantworte sie in deiner Direktnachricht mit Vouch.',
  'status.noneOpen': 'Du hast keine offenen Prüfungen.',
  'status.recent': '*Zuletzt*\n{lines}',
  'home.about':
    'Wenn eine Sicherheitswarnung dein Konto betrifft, fragt Vouch dich hier, ob du das warst, und prüft es mit einem Code aus deiner Authenticator-App.',
  'home.enrolled': ':lock: Dein zweiter Faktor ist eingerichtet.',
  'home.notEnrolled':
    ':warning: Du hast noch keinen zweiten Faktor: Gib `/vouch enroll` ein, um einen einzurichten.',
  'home.open': '*Offene Prüfungen*\n{lines}',
  'home.openNone': '*Offene Prüfungen*\nKeine.',
  'home.recentNone': '*Zuletzt*\nNoch keine.',
  'phase.starting': 'startet',
  'phase.awaiting_approval': 'wartet auf das Sicherheitsteam',
  'phase.awaiting_response': 'wartet auf deine Antwort',
  'phase.awaiting_second_factor': 'wartet auf deinen Code',
  'phase.queued': 'wartet: du hast noch andere offene Prüfungen',
  'phase.awaiting_leader': 'wird mit einer ähnlichen Prüfung zusammen beantwortet',
  'status.confirmed_verified': 'bestätigt und nachgewiesen',
  'status.denied': 'als „nicht ich“ gemeldet',
  'status.no_response': 'keine Antwort',
  'status.second_factor_failed': 'zweiter Faktor fehlgeschlagen',
  'status.not_enrolled': 'kein zweiter Faktor eingerichtet',
  'status.unknown_employee': 'nicht zugeordnet',
  'status.suppressed': 'kürzlich schon bestätigt',
  'status.skipped_by_operator': 'vom Sicherheitsteam übersprungen',
  'status.closed_by_operator': 'vom Sicherheitsteam geschlossen',
  'status.escalated_by_operator': 'vom Sicherheitsteam übernommen',
  'status.disabled_by_policy': 'laut Richtlinie nicht geprüft',
  'status.failed_closed': 'an das Sicherheitsteam gegangen',
  'status.cancelled': 'abgebrochen',
  'status.manager_confirmed': 'von der Führungskraft bestätigt',
  'status.coercion_reported': '„Jemand hat mich gebeten“ gemeldet',
};
