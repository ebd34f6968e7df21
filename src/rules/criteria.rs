//! The AICPA 2017 Trust Services Criteria (points of focus revised 2022).
//!
//! Summaries are paraphrases, not AICPA text. `static_evidence` says whether
//! files in a repository can evidence the criterion at all.

/// How far a repository's files can evidence a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Evidence {
    /// Technical settings in files evidence it directly.
    Yes,
    /// Files give supporting or documentary evidence only.
    Partly,
    /// The evidence lives outside the repository.
    No,
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Criterion {
    pub id: &'static str,
    pub area: &'static str,
    pub title: &'static str,
    pub static_evidence: Evidence,
}

impl Criterion {
    /// The SOC 2 category (Trust Services Category) the criterion belongs to.
    pub fn category(&self) -> Category {
        category_of(self.id)
    }
}

/// The five Trust Services Categories; `Security` (the common criteria) is always in scope.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Security,
    Availability,
    ProcessingIntegrity,
    Confidentiality,
    Privacy,
}

pub fn category_of(id: &str) -> Category {
    if id.starts_with("CC") {
        Category::Security
    } else if id.starts_with("PI") {
        Category::ProcessingIntegrity
    } else if id.starts_with('A') {
        Category::Availability
    } else if id.starts_with('C') {
        Category::Confidentiality
    } else {
        Category::Privacy
    }
}

pub fn find(id: &str) -> Option<&'static Criterion> {
    CRITERIA.iter().find(|c| c.id == id)
}

/// Whether `selector` (`CC6`, `CC6.1`, `A1`) names this criterion or its family.
pub fn selects(selector: &str, criterion: &str) -> bool {
    criterion == selector
        || criterion
            .strip_prefix(selector)
            .is_some_and(|rest| rest.starts_with('.'))
}

pub static CRITERIA: &[Criterion] = &[
    Criterion { id: "CC1.1", area: "Control environment", title: "Leadership shows and enforces a commitment to integrity and ethical behaviour.", static_evidence: Evidence::Partly },
    Criterion { id: "CC1.2", area: "Control environment", title: "A governing body independent of management oversees how internal control is designed and run.", static_evidence: Evidence::No },
    Criterion { id: "CC1.3", area: "Control environment", title: "Management sets up structures, reporting lines, authority and responsibilities.", static_evidence: Evidence::Partly },
    Criterion { id: "CC1.4", area: "Control environment", title: "The organisation recruits, develops and keeps competent people.", static_evidence: Evidence::No },
    Criterion { id: "CC1.5", area: "Control environment", title: "People are held accountable for their internal-control duties.", static_evidence: Evidence::Partly },
    Criterion { id: "CC2.1", area: "Communication and information", title: "The organisation produces and uses relevant, good-quality information to run its controls.", static_evidence: Evidence::Partly },
    Criterion { id: "CC2.2", area: "Communication and information", title: "Internal communication of control objectives and responsibilities.", static_evidence: Evidence::Partly },
    Criterion { id: "CC2.3", area: "Communication and information", title: "Communication with outside parties about matters that affect internal control.", static_evidence: Evidence::Partly },
    Criterion { id: "CC3.1", area: "Risk assessment", title: "Objectives are stated clearly enough that risks to them can be found and assessed.", static_evidence: Evidence::Partly },
    Criterion { id: "CC3.2", area: "Risk assessment", title: "Risks to objectives are identified and analysed to decide how to manage them.", static_evidence: Evidence::Partly },
    Criterion { id: "CC3.3", area: "Risk assessment", title: "The potential for fraud is considered when assessing risk.", static_evidence: Evidence::Partly },
    Criterion { id: "CC3.4", area: "Risk assessment", title: "Changes that could significantly affect internal control are identified and assessed.", static_evidence: Evidence::Partly },
    Criterion { id: "CC4.1", area: "Monitoring", title: "Ongoing or separate evaluations confirm that controls are present and working.", static_evidence: Evidence::Partly },
    Criterion { id: "CC4.2", area: "Monitoring", title: "Control deficiencies are evaluated and communicated promptly to those who must act.", static_evidence: Evidence::Partly },
    Criterion { id: "CC5.1", area: "Control activities", title: "Control activities are chosen and built to bring risks down to acceptable levels.", static_evidence: Evidence::No },
    Criterion { id: "CC5.2", area: "Control activities", title: "General controls over technology are chosen and built.", static_evidence: Evidence::Partly },
    Criterion { id: "CC5.3", area: "Control activities", title: "Controls are put into practice through policies and procedures.", static_evidence: Evidence::Yes },
    Criterion { id: "CC6.1", area: "Logical and physical access", title: "Logical access security (identity, network, encryption) protects information assets.", static_evidence: Evidence::Yes },
    Criterion { id: "CC6.2", area: "Logical and physical access", title: "Users are registered and authorised before getting credentials, and removed when access ends.", static_evidence: Evidence::Partly },
    Criterion { id: "CC6.3", area: "Logical and physical access", title: "Access is granted, changed and removed by role, with least privilege and separation of duties.", static_evidence: Evidence::Yes },
    Criterion { id: "CC6.4", area: "Logical and physical access", title: "Physical access to facilities and protected assets is restricted.", static_evidence: Evidence::No },
    Criterion { id: "CC6.5", area: "Logical and physical access", title: "Data-protection measures are removed only once the data can no longer be recovered.", static_evidence: Evidence::Partly },
    Criterion { id: "CC6.6", area: "Logical and physical access", title: "Boundary protections guard the system against threats from outside it.", static_evidence: Evidence::Yes },
    Criterion { id: "CC6.7", area: "Logical and physical access", title: "Movement of information is limited to authorised parties and protected in transit.", static_evidence: Evidence::Yes },
    Criterion { id: "CC6.8", area: "Logical and physical access", title: "Unauthorised or malicious software is prevented or detected.", static_evidence: Evidence::Partly },
    Criterion { id: "CC7.1", area: "System operations", title: "Detection and monitoring find configuration changes and newly discovered vulnerabilities.", static_evidence: Evidence::Partly },
    Criterion { id: "CC7.2", area: "System operations", title: "Components are monitored for anomalies that signal attacks, errors or disasters.", static_evidence: Evidence::Yes },
    Criterion { id: "CC7.3", area: "System operations", title: "Security events are evaluated to decide whether they are incidents.", static_evidence: Evidence::Partly },
    Criterion { id: "CC7.4", area: "System operations", title: "Identified incidents are handled through a defined response programme.", static_evidence: Evidence::Partly },
    Criterion { id: "CC7.5", area: "System operations", title: "Recovery activities after incidents are defined and carried out.", static_evidence: Evidence::Partly },
    Criterion { id: "CC8.1", area: "Change management", title: "Changes to infrastructure, data, software and procedures are authorised, tested, approved and documented.", static_evidence: Evidence::Partly },
    Criterion { id: "CC9.1", area: "Risk mitigation", title: "Risks from business disruption are identified and mitigated.", static_evidence: Evidence::Partly },
    Criterion { id: "CC9.2", area: "Risk mitigation", title: "Risks from vendors and business partners are assessed and managed.", static_evidence: Evidence::Partly },
    Criterion { id: "A1.1", area: "Availability", title: "Capacity and use are tracked and evaluated so that demand can be met and capacity added.", static_evidence: Evidence::Partly },
    Criterion { id: "A1.2", area: "Availability", title: "Environmental protections, backups and recovery infrastructure are put in place and maintained.", static_evidence: Evidence::Yes },
    Criterion { id: "A1.3", area: "Availability", title: "Recovery plan procedures are tested.", static_evidence: Evidence::Partly },
    Criterion { id: "C1.1", area: "Confidentiality", title: "Confidential information is identified and kept in line with confidentiality commitments.", static_evidence: Evidence::Partly },
    Criterion { id: "C1.2", area: "Confidentiality", title: "Confidential information is disposed of to meet confidentiality commitments.", static_evidence: Evidence::Partly },
    Criterion { id: "PI1.1", area: "Processing integrity", title: "Quality information about processing objectives and data definitions is obtained and shared.", static_evidence: Evidence::No },
    Criterion { id: "PI1.2", area: "Processing integrity", title: "System inputs are controlled so they are complete and accurate.", static_evidence: Evidence::Partly },
    Criterion { id: "PI1.3", area: "Processing integrity", title: "Processing is controlled so it is complete, accurate and timely.", static_evidence: Evidence::Partly },
    Criterion { id: "PI1.4", area: "Processing integrity", title: "Outputs are delivered completely, accurately and only to intended parties.", static_evidence: Evidence::Partly },
    Criterion { id: "PI1.5", area: "Processing integrity", title: "Inputs, in-process items and outputs are stored completely and accurately.", static_evidence: Evidence::Partly },
    Criterion { id: "P1.1", area: "Privacy", title: "Data subjects are told about the privacy practices.", static_evidence: Evidence::Partly },
    Criterion { id: "P2.1", area: "Privacy", title: "Choices about collection, use, retention, disclosure and disposal are offered, and consent is obtained.", static_evidence: Evidence::No },
    Criterion { id: "P3.1", area: "Privacy", title: "Personal information is collected only as the privacy objectives allow.", static_evidence: Evidence::No },
    Criterion { id: "P3.2", area: "Privacy", title: "Explicit consent is obtained where it is required.", static_evidence: Evidence::No },
    Criterion { id: "P4.1", area: "Privacy", title: "Personal information is used only for the stated purposes.", static_evidence: Evidence::No },
    Criterion { id: "P4.2", area: "Privacy", title: "Personal information is kept only as long as the objectives require.", static_evidence: Evidence::Partly },
    Criterion { id: "P4.3", area: "Privacy", title: "Personal information is disposed of securely.", static_evidence: Evidence::Partly },
    Criterion { id: "P5.1", area: "Privacy", title: "Authenticated data subjects can see the personal information held about them.", static_evidence: Evidence::No },
    Criterion { id: "P5.2", area: "Privacy", title: "Personal information is corrected or amended on request.", static_evidence: Evidence::No },
    Criterion { id: "P6.1", area: "Privacy", title: "Personal information goes to third parties only with consent.", static_evidence: Evidence::No },
    Criterion { id: "P6.2", area: "Privacy", title: "Authorised disclosures are recorded completely and accurately.", static_evidence: Evidence::No },
    Criterion { id: "P6.3", area: "Privacy", title: "Unauthorised disclosures, including breaches, are recorded.", static_evidence: Evidence::No },
    Criterion { id: "P6.4", area: "Privacy", title: "Privacy commitments are obtained from third parties with access, and their compliance is checked.", static_evidence: Evidence::No },
    Criterion { id: "P6.5", area: "Privacy", title: "Third parties are bound to report unauthorised disclosures.", static_evidence: Evidence::No },
    Criterion { id: "P6.6", area: "Privacy", title: "Affected data subjects and regulators are told about breaches.", static_evidence: Evidence::No },
    Criterion { id: "P6.7", area: "Privacy", title: "Data subjects can get an account of the personal information held and disclosed.", static_evidence: Evidence::No },
    Criterion { id: "P7.1", area: "Privacy", title: "Personal information is kept accurate, complete and current.", static_evidence: Evidence::No },
    Criterion { id: "P8.1", area: "Privacy", title: "Inquiries, complaints and disputes from data subjects are received and resolved.", static_evidence: Evidence::No },
];
