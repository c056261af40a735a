// The plan so far, as the law asks a SIP to answer: the person's situation and goals, which interventions are
// needed and who provides them, what others do, who has the overall responsibility, and when it is followed up.
import type { PlanAction, PlanDocument, PlanGoal } from "../api/types";
import { formatDate } from "../format";
import { coordinatorText } from "./caseText";

function Goal({ goal }: { goal: PlanGoal }) {
  if (typeof goal === "string") return <li>{goal}</li>;
  return (
    <li>
      {goal.mal ?? ""}
      {goal.matbart ? <span className="measured"> Så vet vi att målet är nått: {goal.matbart}</span> : null}
      {goal.delmal && goal.delmal.length > 0 ? (
        <ul>
          {goal.delmal.map((part, index) => (
            <li key={index}>{part}</li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}

function ActionTable({ caption, items, whoHeading }: { caption: string; items: PlanAction[]; whoHeading: string }) {
  return (
    <div className="table-scroll">
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Insats</th>
            <th scope="col">{whoHeading}</th>
            <th scope="col">Hur ofta</th>
            <th scope="col">När</th>
            <th scope="col">Var</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, index) => (
            <tr key={index}>
              <td>{item.what}</td>
              <td>
                {item.provided_by}
                {item.who && item.who !== item.provided_by ? (
                  <>
                    <br />
                    {item.who}
                  </>
                ) : null}
              </td>
              <td>{item.how_often}</td>
              <td>{item.when}</td>
              <td>{item.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function CasePlan({ caseId, plan }: { caseId: string; plan: PlanDocument | null | undefined }) {
  if (!plan) return null;
  const withoutAction = plan.participants.filter((p) => p.no_action);
  const goals = plan.goals ?? [];
  const relatives = plan.relatives ?? [];
  const missingConsent = plan.missing_consent ?? [];
  return (
    <section aria-labelledby="plan-rubrik">
      <h2 id="plan-rubrik">Planen hittills</h2>
      {plan.scope === "own" ? (
        <p className="alert alert--warning">
          Planen delas inte längre med er organisation. Här finns bara det som er organisation själv har
          dokumenterat.
        </p>
      ) : plan.ready ? (
        <p className="alert alert--ok">Alla som deltar har dokumenterat och godkänt planen.</p>
      ) : (
        <p className="alert alert--warning">
          Planen är inte färdig: alla som deltar har ännu inte dokumenterat och godkänt sin del.
        </p>
      )}
      <p>
        <a href={`/api/v1/cases/${encodeURIComponent(caseId)}/plan`} target="_blank" rel="noopener">
          Planen som utskrift<span className="visually-hidden"> (öppnas i en ny flik)</span>
        </a>
        {" · "}
        <a href={`/api/v1/cases/${encodeURIComponent(caseId)}/plan/easy-read`} target="_blank" rel="noopener">
          Lättläst plan<span className="visually-hidden"> (öppnas i en ny flik)</span>
        </a>
      </p>

      {plan.question ? (
        <>
          <h3>Frågeställning</h3>
          <p className="prewrap">{plan.question}</p>
        </>
      ) : null}

      <h3>Min nuvarande situation</h3>
      {plan.current_situation ? <p className="prewrap">{plan.current_situation}</p> : <p className="muted">Inte ifyllt.</p>}

      <h3>Mål</h3>
      {plan.main_goal ? (
        <p>
          <strong>Huvudmål:</strong> {plan.main_goal}
        </p>
      ) : null}
      {goals.length > 0 ? (
        <ul>
          {goals.map((goal, index) => (
            <Goal key={index} goal={goal} />
          ))}
        </ul>
      ) : !plan.main_goal ? (
        <p className="muted">Inga mål är dokumenterade.</p>
      ) : null}

      <h3>Insatser och vem som ansvarar</h3>
      {plan.interventions.length > 0 ? (
        <ActionTable caption="Huvudmännens insatser" items={plan.interventions} whoHeading="Vem ansvarar" />
      ) : (
        <p className="muted">Inga insatser är dokumenterade.</p>
      )}
      {withoutAction.length > 0 ? (
        <ul>
          {withoutAction.map((p, index) => (
            <li key={index}>
              {p.organisation} deltar utan egen insats{p.no_action_reason ? `: ${p.no_action_reason}` : ""}.
            </li>
          ))}
        </ul>
      ) : null}

      <h3>Vad den enskilde, närstående och andra gör</h3>
      {plan.own_actions ? <p>{plan.own_actions}</p> : null}
      {plan.others_actions.length > 0 ? (
        <ActionTable caption="Andras insatser" items={plan.others_actions} whoHeading="Vem" />
      ) : plan.own_actions ? null : (
        <p className="muted">Inget är dokumenterat.</p>
      )}
      {plan.if_help_needed ? (
        <>
          <h3>Om den enskilde behöver hjälp</h3>
          <p>{plan.if_help_needed}</p>
        </>
      ) : null}

      {relatives.length > 0 ? (
        <>
          <h3>Vårdnadshavare och närstående</h3>
          <ul>
            {relatives.map((person, index) => (
              <li key={index}>
                {person.name}, {person.relation || (person.guardian ? "vårdnadshavare" : "närstående")}
                {person.contact ? `, ${person.contact}` : ""}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {missingConsent.length > 0 ? (
        <>
          <h3>Samtycke saknas</h3>
          <p>Enligt rutinen ska de här vara med, men samtycke till att de deltar saknas.</p>
          <div className="table-scroll">
            <table>
              <caption className="visually-hidden">Huvudmän som saknar samtycke</caption>
              <thead>
                <tr>
                  <th scope="col">Det som saknas</th>
                  <th scope="col">Varför samtycke saknas</th>
                </tr>
              </thead>
              <tbody>
                {missingConsent.map((missing, index) => (
                  <tr key={index}>
                    <td>{missing.huvudman.charAt(0).toUpperCase() + missing.huvudman.slice(1)}</td>
                    <td className="prewrap">{missing.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}

      <h3>Ansvar och uppföljning</h3>
      <dl className="facts facts--plain">
        <div>
          <dt>Övergripande ansvar</dt>
          <dd>{plan.overall_responsibility || "Inte bestämt ännu"}</dd>
        </div>
        {plan.coordinator ? (
          <div>
            <dt>Samordningsansvarig</dt>
            <dd>{coordinatorText(plan.coordinator)}</dd>
          </div>
        ) : null}
        {plan.meeting_date ? (
          <div>
            <dt>SIP-möte</dt>
            <dd>{formatDate(plan.meeting_date)}</dd>
          </div>
        ) : null}
        <div>
          <dt>Uppföljning</dt>
          <dd>
            {plan.follow_up_date
              ? `Senast ${formatDate(plan.follow_up_date)}`
              : plan.status === "active"
                ? "Inte bestämd ännu"
                : "Planen är avslutad"}
          </dd>
        </div>
        {plan.latest_follow_up ? (
          <div>
            <dt>Senast uppföljd</dt>
            <dd>{formatDate(plan.latest_follow_up)}</dd>
          </div>
        ) : null}
      </dl>
    </section>
  );
}
